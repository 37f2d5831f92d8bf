/* test_qcow2_rejects_corrupt_bit: incompatible bit 1 (corrupt) is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be64 (img, 72, 1ULL << 1);
  expect_open_fails (img, "qcow2", 0, "corrupt");
  return 0;
}
