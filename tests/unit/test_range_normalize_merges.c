/* test_range_normalize_merges: unsorted, overlapping, adjacent and
 * empty ranges become sorted disjoint ranges with gaps kept. */
#include "test.h"
#include "util/range.h"

int
main (void)
{
  range_vector v = empty_vector;
  struct range in[] = {
    { 200, 50 }, { 0, 100 }, { 100, 20 }, { 50, 10 }, { 300, 0 },
    { 240, 30 }, { 500, 10 },
  };

  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
    CHECK (range_vector_append (&v, in[i]) == 0);
  CHECK (range_normalize (&v) == 0);
  CHECK (v.len == 3);
  CHECK (v.ptr[0].offset == 0 && v.ptr[0].length == 120);
  CHECK (v.ptr[1].offset == 200 && v.ptr[1].length == 70);
  CHECK (v.ptr[2].offset == 500 && v.ptr[2].length == 10);
  CHECK (range_bytes (v.ptr, v.len) == 200);
  range_vector_reset (&v);
  CHECK (range_normalize (&v) == 0 && v.len == 0);
  return 0;
}
