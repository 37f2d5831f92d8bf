/* test_qcow2_read_extended_l2: extended L2 entries: per-subcluster data / zero / unallocated status. */
#include "qcow2test.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  qt_make_pattern_image ("cluster_size=65536,extended_l2=on", 16 << 20);
  test_run ("qemu-io -f qcow2 -c 'write -P 0x55 131072 2048' -c 'write -P 0x66 135168 2048' -c 'write -z 139264 4096' -c 'write -z -u 4096 2048' test.qcow2 >/dev/null");
  d = test_open ("test.qcow2");
  /* subclusters are 2 KiB: 128K..132K data, 132K..136K hole, 136K..140K zero */
  test_expect_status (d, 131072, 65536, EXTENT_DATA, 2048);
  test_expect_status (d, 133120, 65536, EXTENT_UNALLOCATED, 2048);
  test_expect_status (d, 135168, 65536, EXTENT_DATA, 2048);
  test_expect_status (d, 139264, 65536, EXTENT_ZERO, 4096);
  disk_close (d);
  qt_compare_and_map_with_qemu ("test.qcow2");
  return 0;
}
