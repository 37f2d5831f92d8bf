/* test_qcow2_rejects_l2_past_eof: an L1 entry pointing past the end of the file fails the read with a clear error. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be64 (img, read_be64_at (img, 40), (1ULL << 63) | (1ULL << 40));
  expect_read_fails (img, "L2 table 0 points past end of file");
  return 0;
}
