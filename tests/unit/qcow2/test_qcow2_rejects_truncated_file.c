/* test_qcow2_rejects_truncated_file: a file truncated inside the header is refused. */
#include "qcow2test.h"

int
main (void)
{
  test_init (true);
  qt_make_small_image (QT_HOSTILE);
  test_truncate (QT_HOSTILE, 50);
  test_expect_open_fails (QT_HOSTILE, "qcow2", 0, "too small");
  return 0;
}
