/* test_qcow2_rejects_bad_magic: a file without the magic, opened as qcow2, is refused. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (0, 4, 0x51464900, "magic");
  return 0;
}
