/* vector.c: growth for vector.h; doubles capacity, checks overflow. */
#include <errno.h>
#include <stdlib.h>

#include "util/checked.h"
#include "util/error.h"
#include "util/vector.h"

int
vector_reserve_generic (void **ptr, size_t *cap, size_t len, size_t n,
                        size_t item_size)
{
  uint64_t want, bytes;
  void *p;

  if (checked_add (len, n, &want))
    goto overflow;
  if (want <= *cap)
    return 0;
  if (want < *cap * 2)
    want = *cap * 2;
  if (want < 8)
    want = 8;
  if (checked_mul (want, item_size, &bytes) || bytes > SIZE_MAX)
    goto overflow;
  p = realloc (*ptr, bytes);
  if (p == NULL) {
    error_set_errno (errno, "realloc");
    return -1;
  }
  *ptr = p;
  *cap = want;
  return 0;

overflow:
  error_set ("vector: size overflow");
  return -1;
}
