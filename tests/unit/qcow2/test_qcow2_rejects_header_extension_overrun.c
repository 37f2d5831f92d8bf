/* test_qcow2_rejects_header_extension_overrun: a header extension longer than the first cluster is refused. */
#include "qcow2test.h"

int
main (void)
{
  test_init (true);
  qt_make_small_image (QT_HOSTILE);
  test_patch_be32 (QT_HOSTILE, 100, 112);
  test_patch_be32 (QT_HOSTILE, 112, 0x6803f857);
  test_patch_be32 (QT_HOSTILE, 116, 100000);
  test_expect_open_fails (QT_HOSTILE, "qcow2", 0, "header extension");
  return 0;
}
