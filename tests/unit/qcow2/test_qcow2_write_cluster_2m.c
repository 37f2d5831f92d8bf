/* test_qcow2_write_cluster_2m: writing with 2 MiB clusters passes check and compares equal. */
#include "qcow2test.h"

int
main (void)
{
  qt_write_case (2097152, 48ULL << 20);
  return 0;
}
