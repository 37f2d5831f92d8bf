/* test_qcow2_read_size_not_cluster_multiple: a virtual size that is not a multiple of the cluster size reads right to the end. */
#include "qcow2test.h"

int
main (void)
{
  qt_read_case ("cluster_size=65536", 3000832);
  return 0;
}
