/* test_qcow2_rejects_external_data_file: incompatible bit 2 (external data file) is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be64 (img, 72, 1ULL << 2);
  expect_open_fails (img, "qcow2", 0, "external data file");
  return 0;
}
