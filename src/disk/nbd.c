/* nbd.c: read-only disks over NBD (see nbd.h). */
