/* test_qcow2_rejects_cluster_bits_8: cluster_bits 8 is refused. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (20, 4, 8, "cluster size");
  return 0;
}
