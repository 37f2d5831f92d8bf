/* test_qcow2_rejects_truncated_file: a file truncated inside the header is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  CHECK (truncate (img, 50) == 0);
  expect_open_fails (img, "qcow2", 0, "too small");
  return 0;
}
