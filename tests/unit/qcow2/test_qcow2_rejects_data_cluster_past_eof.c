/* test_qcow2_rejects_data_cluster_past_eof: an L2 entry pointing past the end of the file fails the read. */
#include "qcow2test.h"

int
main (void)
{
  test_init (true);
  qt_make_small_image (QT_HOSTILE);
  test_patch_be64 (QT_HOSTILE, qt_l2_table_offset (QT_HOSTILE),
                   (1ULL << 63) | (1ULL << 40));
  test_expect_read_fails (QT_HOSTILE, "points past end of file");
  return 0;
}
