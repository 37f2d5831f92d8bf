/* test_qcow2_rejects_header_extension_overrun: a header extension longer than the first cluster is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be32 (img, 100, 112);
  patch_be32 (img, 112, 0x6803f857);
  patch_be32 (img, 116, 100000);
  expect_open_fails (img, "qcow2", 0, "header extension");
  return 0;
}
