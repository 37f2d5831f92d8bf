/* test_qcow2_read_cluster_2m: ferry reads an image with 2 MiB clusters like qemu-img does. */
#include "qcow2test.h"

int
main (void)
{
  qt_read_case ("cluster_size=2097152", 16 << 20);
  return 0;
}
