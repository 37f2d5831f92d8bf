/* test_range_remaining: what is left to copy is [0, size) minus
 * the finished ranges: nothing finished = the whole disk, everything =
 * nothing, gaps at the start, middle and end, ranges past the end clipped. */
#include "test.h"
#include "util/range.h"

static void
expect (const struct range *fin, size_t n, uint64_t size,
        const struct range *want, size_t nwant)
{
  range_vector f = empty_vector, out = empty_vector;

  for (size_t i = 0; i < n; i++)
    CHECK (range_vector_append (&f, fin[i]) == 0);
  CHECK (range_remaining (&f, size, &out) == 0);
  if (out.len != nwant)
    FAIL ("got %zu ranges, want %zu", out.len, nwant);
  for (size_t i = 0; i < nwant; i++)
    if (out.ptr[i].offset != want[i].offset
        || out.ptr[i].length != want[i].length)
      FAIL ("range %zu: got %llu+%llu, want %llu+%llu", i,
            (unsigned long long) out.ptr[i].offset,
            (unsigned long long) out.ptr[i].length,
            (unsigned long long) want[i].offset,
            (unsigned long long) want[i].length);
  range_vector_reset (&f);
  range_vector_reset (&out);
}

int
main (void)
{
  expect (NULL, 0, 1000, (struct range[]) { { 0, 1000 } }, 1);
  expect ((struct range[]) { { 0, 1000 } }, 1, 1000, NULL, 0);
  expect ((struct range[]) { { 0, 600 }, { 400, 600 } }, 2, 1000,
          NULL, 0);
  expect ((struct range[]) { { 600, 100 }, { 100, 100 } }, 2, 1000,
          (struct range[]) { { 0, 100 }, { 200, 400 }, { 700, 300 } },
          3);
  expect ((struct range[]) { { 0, 64 }, { 64, 64 }, { 900, 500 } }, 3,
          1000, (struct range[]) { { 128, 772 } }, 1);
  expect ((struct range[]) { { 2000, 10 } }, 1, 1000,
          (struct range[]) { { 0, 1000 } }, 1);
  expect (NULL, 0, 0, NULL, 0);
  return 0;
}
