/* test_qcow2_read_cluster_64k: ferry reads an image with 64 KiB clusters like qemu-img does. */
#include "qcow2test.h"

int
main (void)
{
  qt_read_case ("cluster_size=65536", 32 << 20);
  return 0;
}
