/* test_qcow2_rejects_encrypted: encrypted images are refused with a clear message. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (32, 4, 1, "encrypted images are not supported");
  return 0;
}
