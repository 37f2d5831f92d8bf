/* test_qcow2_dirty_image_reads_but_refuses_write: an image with the dirty bit (lazy refcounts) opens read-only but is refused for writing. */
#include "qcow2test.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  qt_make_small_image ("dirty.qcow2");
  test_patch_be64 ("dirty.qcow2", 72, 1);
  d = qt_open ("dirty.qcow2", 0);
  disk_close (d);
  test_expect_open_fails ("dirty.qcow2", "qcow2", DISK_OPEN_WRITE, "dirty");
  return 0;
}
