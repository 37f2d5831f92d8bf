/* test_qcow2_read_v2: ferry reads a version 2 (compat=0.10) image like qemu-img does. */
#include "helpers.h"

int
main (void)
{
  const uint64_t size = 8388608ULL;
  const char *img;

  test_init ();
  img = tpath ("test.qcow2");
  RUN ("qemu-img create -q -f qcow2 -o compat=0.10,cluster_size=4096 '%s' %" PRIu64, img, size);
  qemu_io_pattern (img, "-f qcow2", size);

  compare_with_qemu (img);
  compare_map_with_qemu (img, true);
  return 0;
}
