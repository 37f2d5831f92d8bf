/* test_qcow2_rejects_misaligned_data_cluster: an L2 entry not aligned to a cluster fails the read. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be64 (img, l2_table_offset (img), (1ULL << 63) | ((read_be64_at (img, l2_table_offset (img)) & 0x00fffffffffffe00ULL) + 512));
  expect_read_fails (img, "not cluster-aligned");
  return 0;
}
