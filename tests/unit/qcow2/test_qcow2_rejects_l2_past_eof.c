/* test_qcow2_rejects_l2_past_eof: an L1 entry pointing past the end of the file fails the read with a clear error. */
#include "qcow2test.h"

int
main (void)
{
  test_init (true);
  qt_make_small_image (QT_HOSTILE);
  test_patch_be64 (QT_HOSTILE, test_read_be64 (QT_HOSTILE, 40),
                   (1ULL << 63) | (1ULL << 40));
  test_expect_read_fails (QT_HOSTILE, "L2 table 0 points past end of file");
  return 0;
}
