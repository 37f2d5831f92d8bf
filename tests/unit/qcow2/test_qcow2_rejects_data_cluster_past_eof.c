/* test_qcow2_rejects_data_cluster_past_eof: an L2 entry pointing past the end of the file fails the read. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be64 (img, l2_table_offset (img), (1ULL << 63) | (1ULL << 40));
  expect_read_fails (img, "points past end of file");
  return 0;
}
