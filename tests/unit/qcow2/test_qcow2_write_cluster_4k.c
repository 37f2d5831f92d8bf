/* test_qcow2_write_cluster_4k: writing with 4 KiB clusters passes check and compares equal. */
#include "qcow2test.h"

int
main (void)
{
  qt_write_case (4096, 40ULL << 20);
  return 0;
}
