/* test_qcow2_dirty_image_reads_but_refuses_write: an image with the dirty bit (lazy refcounts) opens read-only but is refused for writing. */
#include "helpers.h"

int
main (void)
{
  const char *img;
  struct disk *d;

  test_init ();
  img = tpath ("dirty.qcow2");
  make_small_image (img);
  patch_be64 (img, 72, 1);
  d = disk_open (img, "qcow2", 0);
  CHECK (d != NULL);
  disk_close (d);
  expect_open_fails (img, "qcow2", DISK_OPEN_WRITE, "dirty");
  return 0;
}
