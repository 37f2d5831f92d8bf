/* test_qcow2_read_extended_l2: extended L2 entries: per-subcluster data / zero / unallocated status. */
#include "helpers.h"

int
main (void)
{
  const uint64_t size = 16777216ULL;
  const char *img;

  test_init ();
  img = tpath ("test.qcow2");
  RUN ("qemu-img create -q -f qcow2 -o cluster_size=65536,extended_l2=on '%s' %" PRIu64, img, size);
  qemu_io_pattern (img, "-f qcow2", size);
  RUN ("qemu-io -f qcow2 -c 'write -P 0x55 131072 2048' -c 'write -P 0x66 135168 2048' -c 'write -z 139264 4096' -c 'write -z -u 4096 2048' '%s' >/dev/null", img);
  {
    struct disk *d = disk_open (img, NULL, 0);
    struct extent e;
    CHECK (d != NULL);
    /* subclusters are 2 KiB: 128K..132K data, 132K..136K hole, 136K..140K zero */
    CHECK (disk_block_status (d, 131072, 65536, &e) == 0);
    CHECK (e.type == EXTENT_DATA && e.length == 2048);
    CHECK (disk_block_status (d, 133120, 65536, &e) == 0);
    CHECK (e.type == EXTENT_UNALLOCATED && e.length == 2048);
    CHECK (disk_block_status (d, 135168, 65536, &e) == 0);
    CHECK (e.type == EXTENT_DATA && e.length == 2048);
    CHECK (disk_block_status (d, 139264, 65536, &e) == 0);
    CHECK (e.type == EXTENT_ZERO && e.length == 4096);
    disk_close (d);
  }
  compare_with_qemu (img);
  compare_map_with_qemu (img, true);
  return 0;
}
