/* cleanup.h: scope-cleanup attributes.
 *
 *   CLEANUP_FREE char *s = strdup (...);   // freed when s leaves scope
 *   CLEANUP_CLOSE int fd = open (...);     // closed unless -1
 *
 * Hand ownership out of a scope with steal_pointer() / steal_fd().
 */
#ifndef FERRY_UTIL_CLEANUP_H
#define FERRY_UTIL_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
cleanup_free (void *ptr)
{
  free (*(void **) ptr);
}

static inline void
cleanup_close (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

static inline void
cleanup_fclose (FILE **fp)
{
  if (*fp)
    fclose (*fp);
}

#define CLEANUP_FREE __attribute__ ((cleanup (cleanup_free)))
#define CLEANUP_CLOSE __attribute__ ((cleanup (cleanup_close)))
#define CLEANUP_FCLOSE __attribute__ ((cleanup (cleanup_fclose)))

static inline void *
steal_pointer_impl (void *pptr)
{
  void **p = pptr;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) steal_pointer_impl (pp)

static inline int
steal_fd (int *fd)
{
  int v = *fd;
  *fd = -1;
  return v;
}

#endif
