/* test_qcow2_read_compressed_cluster_512: compressed descriptors with 512-byte clusters (x = 61) read right. */
#include "qcow2test.h"

int
main (void)
{
  qt_read_compressed_case ("cluster_size=512");
  return 0;
}
