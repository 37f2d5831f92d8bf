/* test_qcow2_rejects_encrypted: encrypted images are refused with a clear message. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be32 (img, 32, 1);
  expect_open_fails (img, "qcow2", 0, "encrypted images are not supported");
  return 0;
}
