/* test_qcow2_write_refuses_snapshots: an image with internal snapshots is refused for writing (shared clusters). */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("snap.qcow2");
  make_small_image (img);
  RUN ("qemu-img snapshot -c snap1 '%s'", img);
  expect_open_fails (img, "qcow2", DISK_OPEN_WRITE, "snapshots");
  return 0;
}
