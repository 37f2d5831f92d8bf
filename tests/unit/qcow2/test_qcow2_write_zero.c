/* test_qcow2_write_zero: zero marks whole clusters as zero (v3), keeps holes unallocated, and writes zeros for partial clusters. */
#include "qcow2test.h"

int
main (void)
{
  const uint64_t size = 4ULL << 20, cs = 65536;
  uint8_t *mirror = calloc (1, size);
  struct disk *d;
  uint64_t before;

  test_init (true);
  qt_create ("zero.qcow2", size, cs);
  d = qt_open_write ("zero.qcow2");
  qt_mirror_write (d, mirror, 0, 8 * cs, 1);
  qt_mirror_zero (d, mirror, 2 * cs, 3 * cs);         /* whole clusters over data */
  qt_mirror_zero (d, mirror, 6 * cs + 10, 100);       /* partial */
  CHECK (disk_flush (d) == 0);
  before = test_file_size ("zero.qcow2");
  qt_mirror_zero (d, mirror, 16 * cs, 16 * cs);       /* unallocated, no backing */
  test_expect_status (d, 2 * cs, 3 * cs, EXTENT_ZERO, 3 * cs);
  test_expect_status (d, 16 * cs, 16 * cs, EXTENT_UNALLOCATED, 16 * cs);
  test_expect_status (d, 6 * cs, cs, EXTENT_DATA, 0);
  disk_close (d);
  CHECK (test_file_size ("zero.qcow2") == before);
  qt_verify_written ("zero.qcow2", mirror, size);
  test_compare_map_with_qemu ("zero.qcow2", NULL, true);
  free (mirror);
  return 0;
}
