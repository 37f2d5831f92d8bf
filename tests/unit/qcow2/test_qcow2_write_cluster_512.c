/* test_qcow2_write_cluster_512: writing with 512-byte clusters passes check and compares equal. */
#include "qcow2test.h"

int
main (void)
{
  qt_write_case (512, 24ULL << 20);
  return 0;
}
