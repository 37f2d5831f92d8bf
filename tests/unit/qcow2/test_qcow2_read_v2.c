/* test_qcow2_read_v2: ferry reads a version 2 (compat=0.10) image like qemu-img does. */
#include "qcow2test.h"

int
main (void)
{
  qt_read_case ("compat=0.10,cluster_size=4096", 8 << 20);
  return 0;
}
