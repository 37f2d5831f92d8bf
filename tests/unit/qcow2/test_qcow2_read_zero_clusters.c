/* test_qcow2_read_zero_clusters: v3 zero clusters (preallocated and not) read as zeros and map as EXTENT_ZERO. */
#include "helpers.h"

int
main (void)
{
  const uint64_t size = 8388608ULL;
  const char *img;

  test_init ();
  img = tpath ("test.qcow2");
  RUN ("qemu-img create -q -f qcow2 -o cluster_size=4096 '%s' %" PRIu64, img, size);
  qemu_io_pattern (img, "-f qcow2", size);
  RUN ("qemu-io -f qcow2 -c 'write -z 0 8192' -c 'write -z 1048576 65536' -c 'write -z -u 2793472 4096' '%s' >/dev/null", img);
  {
    struct disk *d = disk_open (img, NULL, 0);
    struct extent e;
    CHECK (d != NULL);
    CHECK (disk_block_status (d, 0, 8192, &e) == 0);
    CHECK (e.type == EXTENT_ZERO && e.length == 8192);
    CHECK (disk_block_status (d, 1048576, 65536, &e) == 0);
    CHECK (e.type == EXTENT_ZERO && e.length == 65536);
    disk_close (d);
  }
  compare_with_qemu (img);
  compare_map_with_qemu (img, true);
  return 0;
}
