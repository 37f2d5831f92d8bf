/* test_qcow2_read_cluster_4k: ferry reads an image with 4 KiB clusters like qemu-img does. */
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

  compare_with_qemu (img);
  compare_map_with_qemu (img, true);
  return 0;
}
