/* test_qcow2_rejects_huge_l1_size: an l1_size needing more than 32 MiB is refused before allocating. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be32 (img, 36, 0x7fffffff);
  expect_open_fails (img, "qcow2", 0, "L1 table too large");
  return 0;
}
