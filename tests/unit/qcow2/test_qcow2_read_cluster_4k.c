/* test_qcow2_read_cluster_4k: ferry reads an image with 4 KiB clusters like qemu-img does. */
#include "qcow2test.h"

int
main (void)
{
  qt_read_case ("cluster_size=4096", 8 << 20);
  return 0;
}
