/* test_qcow2_rejects_truncated_metadata: a file truncated before its metadata (L1/refcount table) is refused. */
#include "qcow2test.h"

int
main (void)
{
  test_init (true);
  qt_make_small_image (QT_HOSTILE);
  test_truncate (QT_HOSTILE, 4096);
  test_expect_open_fails (QT_HOSTILE, "qcow2", 0, NULL);
  return 0;
}
