/* test_qcow2_rejects_bad_magic: a file without the magic, opened as qcow2, is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be32 (img, 0, 0x51464900);
  expect_open_fails (img, "qcow2", 0, "magic");
  return 0;
}
