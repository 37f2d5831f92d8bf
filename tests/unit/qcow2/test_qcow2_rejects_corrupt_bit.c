/* test_qcow2_rejects_corrupt_bit: incompatible bit 1 (corrupt) is refused. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (72, 8, 1ULL << 1, "corrupt");
  return 0;
}
