/* test_qcow2_rejects_absurd_size: a virtual size of 2^62 (L1 far too small / too large) is refused. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (24, 8, 1ULL << 62, "L1 table");
  return 0;
}
