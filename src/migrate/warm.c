/* warm.c: the warm migration engine (see warm.h). */
