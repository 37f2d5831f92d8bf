/* host.h: a KVM host as libvirt shows it: its CPU, its memory, what runs
 * on it, its libvirt and QEMU versions, whether KVM is usable; and the
 * running domains' facts that a live migration depends on.
 *
 * Everything is read live through the libvirt C API on each call: a host
 * registry (ferry host add, kept by the plan store) holds only names, URIs
 * and a memory limit.  Library code: errors through util/error.h.
 */
#ifndef FERRY_HOST_HOST_H
#define FERRY_HOST_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "host/cpu.h"
#include "util/vector.h"

DEFINE_VECTOR_TYPE (host_name_vector, char *);

struct host_facts {
  char *name;                   /* the registered name */
  char *uri;
  char *hostname;
  char *host_uuid;
  struct cpu cpu;               /* the host CPU (capabilities) */
  unsigned cpus;                /* logical CPUs */
  uint64_t memory_total;        /* bytes */
  uint64_t memory_free;         /* bytes, as the kernel says */
  uint64_t memory_limit;        /* bytes ferry may give guests; 0 = none */
  uint64_t memory_guests;       /* bytes the running domains have */
  uint64_t memory_available;    /* what another guest may get here */
  unsigned running;             /* running domains */
  unsigned running_vcpus;
  host_name_vector domains;     /* names of the running domains */
  host_name_vector networks;    /* active networks */
  host_name_vector machines;    /* x86_64 machine types QEMU offers */
  unsigned long libvirt_version;  /* major * 1000000 + minor * 1000 + rel */
  unsigned long qemu_version;
  bool kvm;                     /* libvirt offers domain type kvm */
};

/* Read a host's facts through conn.  name and uri label it; memory_limit
 * as registered (0 = none).  0, or -1 with the error set. */
int host_read (virConnectPtr conn, const char *name, const char *uri,
               uint64_t memory_limit, struct host_facts *out);
void host_facts_free (struct host_facts *h);
/* "9.0.0" from libvirt's version number (buf of 32 bytes). */
const char *host_version_text (unsigned long v, char *buf);

struct host_disk {
  char *path;                   /* the source file (or block device) */
  char *target;                 /* the guest's name for it: "vda" */
  char *format;                 /* "qcow2", "raw" ... */
  uint64_t capacity;            /* bytes the guest sees */
  uint64_t allocation;          /* bytes it takes on the host */
  bool shareable;               /* <shareable/>: multi-writer */
  bool readonly;
};
DEFINE_VECTOR_TYPE (host_disk_vector, struct host_disk);

/* What a live migration needs to know of a running domain. */
struct host_domain {
  char *name;
  char *uuid;
  char *xml;                    /* the live definition */
  char *arch;
  char *machine;                /* e.g. "pc-q35-7.2" */
  char *type;                   /* "kvm" or "qemu" */
  bool running;
  bool persistent;
  uint64_t memory;              /* bytes (current) */
  uint64_t max_memory;          /* bytes */
  unsigned vcpus;
  struct cpu cpu;               /* as defined (HOST_* modes unresolved) */
  host_disk_vector disks;       /* file and block disks (not CD-ROMs) */
  host_name_vector networks;    /* networks of its interfaces */
  unsigned hostdevs;            /* passthrough devices */
};

/* Look up domain name on conn; NULL dom with 1 when there is none there
 * (no error), -1 with the error set. */
int host_domain_read (virConnectPtr conn, const char *name,
                      struct host_domain *out);
void host_domain_free (struct host_domain *d);

/* The active storage pool of conn whose directory is dir: its name
 * (malloc'd) and the bytes it has available.  1 when there is none (no
 * error), 0, or -1 with the error set. */
int host_pool_for_dir (virConnectPtr conn, const char *dir, char **name,
                       uint64_t *available);
/* The active storage pool called name on conn: its directory (malloc'd)
 * and the bytes it has available.  1 when there is none (no error). */
int host_pool_by_name (virConnectPtr conn, const char *name, char **path,
                       uint64_t *available);
/* Refresh every active pool of conn, so that files made outside libvirt
 * are volumes. */
int host_refresh_pools (virConnectPtr conn);
/* Whether a volume of an active pool of conn is the file path (as of the
 * pools' last refresh). */
bool host_has_volume (virConnectPtr conn, const char *path);

void host_names_free (host_name_vector *v);
bool host_names_has (const host_name_vector *v, const char *name);

#endif
