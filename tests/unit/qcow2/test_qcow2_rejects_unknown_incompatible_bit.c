/* test_qcow2_rejects_unknown_incompatible_bit: an unknown incompatible feature bit is refused. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (72, 8, 1ULL << 20, "unsupported incompatible feature");
  return 0;
}
