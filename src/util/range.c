/* range.c: byte-range bookkeeping (see range.h). */
#include <stdlib.h>
#include <string.h>

#include "util/range.h"

static int
range_compare (const void *a, const void *b)
{
  const struct range *x = a, *y = b;
  return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int
range_normalize (range_vector *v)
{
  size_t out = 0;

  if (v->len > 1)
    qsort (v->ptr, v->len, sizeof *v->ptr, range_compare);
  for (size_t i = 0; i < v->len; i++) {
    struct range r = v->ptr[i];
    uint64_t end = r.offset + r.length;

    if (r.length == 0)
      continue;
    if (end < r.offset)             /* wraps: clip to the top */
      end = UINT64_MAX;
    if (out > 0) {
      struct range *last = &v->ptr[out - 1];
      uint64_t last_end = last->offset + last->length;
      if (r.offset <= last_end) {
        if (end > last_end)
          last->length = end - last->offset;
        continue;
      }
    }
    v->ptr[out].offset = r.offset;
    v->ptr[out].length = end - r.offset;
    out++;
  }
  v->len = out;
  return 0;
}

int
range_remaining (const range_vector *finished, uint64_t size,
                       range_vector *out)
{
  range_vector sorted = empty_vector;
  uint64_t pos = 0;
  int r = -1;

  if (range_vector_reserve (&sorted, finished->len + 1) == -1)
    return -1;
  if (finished->len > 0)
    memcpy (sorted.ptr, finished->ptr,
            finished->len * sizeof *finished->ptr);
  sorted.len = finished->len;
  range_normalize (&sorted);
  for (size_t i = 0; i < sorted.len && pos < size; i++) {
    uint64_t start = sorted.ptr[i].offset;
    uint64_t end = start + sorted.ptr[i].length;
    if (start > pos
        && range_vector_append (out, (struct range) {
              .offset = pos, .length = (start < size ? start : size) - pos })
           == -1)
      goto out;
    if (end > pos)
      pos = end;
  }
  if (pos < size
      && range_vector_append (out, (struct range) {
            .offset = pos, .length = size - pos }) == -1)
    goto out;
  r = 0;
out:
  range_vector_reset (&sorted);
  return r;
}

uint64_t
range_bytes (const struct range *ranges, size_t n)
{
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += ranges[i].length;
  return total;
}
