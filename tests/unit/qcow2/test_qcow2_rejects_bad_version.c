/* test_qcow2_rejects_bad_version: version 4 is refused with a clear error. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (4, 4, 4, "version");
  return 0;
}
