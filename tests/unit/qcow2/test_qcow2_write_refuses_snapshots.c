/* test_qcow2_write_refuses_snapshots: an image with internal snapshots is refused for writing (shared clusters). */
#include "qcow2test.h"

int
main (void)
{
  test_init (true);
  qt_make_small_image ("snap.qcow2");
  test_run ("qemu-img snapshot -c snap1 snap.qcow2");
  test_expect_open_fails ("snap.qcow2", "qcow2", DISK_OPEN_WRITE, "snapshots");
  return 0;
}
