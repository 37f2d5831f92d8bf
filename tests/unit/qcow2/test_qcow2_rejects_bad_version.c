/* test_qcow2_rejects_bad_version: version 4 is refused with a clear error. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be32 (img, 4, 4);
  expect_open_fails (img, "qcow2", 0, "version");
  return 0;
}
