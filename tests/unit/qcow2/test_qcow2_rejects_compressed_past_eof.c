/* test_qcow2_rejects_compressed_past_eof: a compressed descriptor pointing past the end of the file fails the read. */
#include "qcow2test.h"

int
main (void)
{
  test_init (true);
  qt_make_small_image (QT_HOSTILE);
  /* 4 KiB clusters: x = 58, offset in bits 0-57 */
  test_patch_be64 (QT_HOSTILE, qt_l2_table_offset (QT_HOSTILE),
                   (1ULL << 62) | (3ULL << 58) | (1ULL << 40));
  test_expect_read_fails (QT_HOSTILE,
                          "compressed cluster points past end of file");
  return 0;
}
