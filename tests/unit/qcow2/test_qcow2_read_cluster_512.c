/* test_qcow2_read_cluster_512: ferry reads an image with 512-byte clusters like qemu-img does. */
#include "qcow2test.h"

int
main (void)
{
  qt_read_case ("cluster_size=512", 4 << 20);
  return 0;
}
