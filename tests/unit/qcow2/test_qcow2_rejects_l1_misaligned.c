/* test_qcow2_rejects_l1_misaligned: an L1 table offset not aligned to a cluster is refused. */
#include "qcow2test.h"

int
main (void)
{
  test_init (true);
  qt_make_small_image (QT_HOSTILE);
  test_patch_be64 (QT_HOSTILE, 40, test_read_be64 (QT_HOSTILE, 40) + 8);
  test_expect_open_fails (QT_HOSTILE, "qcow2", 0, "L1 table");
  return 0;
}
