/* test_qcow2_rejects_l1_past_eof: an L1 table offset past the end of the file is refused. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (40, 8, 1ULL << 40, "L1 table");
  return 0;
}
