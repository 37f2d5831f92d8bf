/* test_qcow2_rejects_absurd_size: a virtual size of 2^62 (L1 far too small / too large) is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be64 (img, 24, 1ULL << 62);
  expect_open_fails (img, "qcow2", 0, "L1 table");
  return 0;
}
