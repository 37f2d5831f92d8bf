/* test_qcow2_rejects_cluster_bits_8: cluster_bits 8 is refused. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  patch_be32 (img, 20, 8);
  expect_open_fails (img, "qcow2", 0, "cluster size");
  return 0;
}
