/* test_qcow2_read_zero_clusters: v3 zero clusters (preallocated and not) read as zeros and map as EXTENT_ZERO. */
#include "qcow2test.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  qt_make_pattern_image ("cluster_size=4096", 8 << 20);
  test_run ("qemu-io -f qcow2 -c 'write -z 0 8192' -c 'write -z 1048576 65536' -c 'write -z -u 2793472 4096' test.qcow2 >/dev/null");
  d = test_open ("test.qcow2");
  test_expect_status (d, 0, 8192, EXTENT_ZERO, 8192);
  test_expect_status (d, 1048576, 65536, EXTENT_ZERO, 65536);
  disk_close (d);
  qt_compare_and_map_with_qemu ("test.qcow2");
  return 0;
}
