/* test_qcow2_rejects_l1_past_eof: an L1 table offset past the end of the file is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be64 (img, 40, 1ULL << 40);
  expect_open_fails (img, "qcow2", 0, "L1 table");
  return 0;
}
