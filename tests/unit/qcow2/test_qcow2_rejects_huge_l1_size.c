/* test_qcow2_rejects_huge_l1_size: an l1_size needing more than 32 MiB is refused before allocating. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (36, 4, 0x7fffffff, "L1 table too large");
  return 0;
}
