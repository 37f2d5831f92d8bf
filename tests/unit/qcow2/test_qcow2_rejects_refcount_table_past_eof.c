/* test_qcow2_rejects_refcount_table_past_eof: a refcount table past the end of the file is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be32 (img, 56, 1000000);
  expect_open_fails (img, "qcow2", 0, "refcount table");
  return 0;
}
