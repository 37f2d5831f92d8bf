/* test_qcow2_rejects_misaligned_data_cluster: an L2 entry not aligned to a cluster fails the read. */
#include "qcow2test.h"

int
main (void)
{
  uint64_t l2;

  test_init (true);
  qt_make_small_image (QT_HOSTILE);
  l2 = qt_l2_table_offset (QT_HOSTILE);
  test_patch_be64 (QT_HOSTILE, l2, (1ULL << 63)
                   | ((test_read_be64 (QT_HOSTILE, l2) & 0x00fffffffffffe00ULL)
                      + 512));
  test_expect_read_fails (QT_HOSTILE, "not cluster-aligned");
  return 0;
}
