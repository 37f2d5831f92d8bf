/* test_qcow2_rejects_unknown_incompatible_bit: an unknown incompatible feature bit is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be64 (img, 72, 1ULL << 20);
  expect_open_fails (img, "qcow2", 0, "unsupported incompatible feature");
  return 0;
}
