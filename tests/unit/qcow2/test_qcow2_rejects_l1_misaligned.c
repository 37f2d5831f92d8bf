/* test_qcow2_rejects_l1_misaligned: an L1 table offset not aligned to a cluster is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be64 (img, 40, read_be64_at (img, 40) + 8);
  expect_open_fails (img, "qcow2", 0, "L1 table");
  return 0;
}
