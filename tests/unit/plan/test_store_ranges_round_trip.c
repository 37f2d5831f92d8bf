/* test_store_ranges_round_trip: finished ranges come back sorted by
 * offset, summed per VM, a repeated offset keeps the longer length, and
 * clear removes them. */
#include "plantest.h"

int
main (void)
{
  struct store *s;
  int64_t vm, disk;
  range_vector r = empty_vector;
  uint64_t total;
  const uint64_t M = 1 << 20;

  test_init (false);
  s = pt_open ("ferry.db");
  pt_make_plan (s, "wave", 1024 * M, &vm, &disk);
  CHECK (store_begin (s) == 0);
  CHECK (store_range_add (s, disk, 128 * M, 64 * M) == 0);
  CHECK (store_range_add (s, disk, 0, 64 * M) == 0);
  CHECK (store_range_add (s, disk, 960 * M, 64 * M) == 0);
  CHECK (store_range_add (s, disk, 0, 32 * M) == 0);      /* shorter: kept 64 */
  CHECK (store_commit (s) == 0);
  CHECK (store_range_add (s, disk, 0, 0) == -1);          /* CHECK length > 0 */

  CHECK (store_range_list (s, disk, &r) == 0);
  CHECK (r.len == 3);
  CHECK (r.ptr[0].offset == 0 && r.ptr[0].length == 64 * M);
  CHECK (r.ptr[1].offset == 128 * M && r.ptr[1].length == 64 * M);
  CHECK (r.ptr[2].offset == 960 * M && r.ptr[2].length == 64 * M);
  CHECK (store_range_total (s, vm, &total) == 0);
  CHECK (total == 192 * M);

  CHECK (store_range_clear (s, disk) == 0);
  range_vector_reset (&r);
  CHECK (store_range_list (s, disk, &r) == 0);
  CHECK (r.len == 0);
  range_vector_reset (&r);
  store_close (s);
  return 0;
}
