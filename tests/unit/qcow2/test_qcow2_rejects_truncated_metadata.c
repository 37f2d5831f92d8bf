/* test_qcow2_rejects_truncated_metadata: a file truncated before its metadata (L1/refcount table) is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  CHECK (truncate (img, 4096) == 0);
  expect_open_fails (img, "qcow2", 0, NULL);
  return 0;
}
