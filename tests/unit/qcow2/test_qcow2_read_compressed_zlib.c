/* test_qcow2_read_compressed_zlib: zlib (raw deflate) compressed clusters read like qemu-img. */
#include "qcow2test.h"

int
main (void)
{
  qt_read_compressed_case ("cluster_size=65536");
  return 0;
}
