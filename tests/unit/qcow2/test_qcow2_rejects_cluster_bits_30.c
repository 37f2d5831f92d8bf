/* test_qcow2_rejects_cluster_bits_30: cluster_bits 30 is refused before anything is allocated. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (20, 4, 30, "cluster size");
  return 0;
}
