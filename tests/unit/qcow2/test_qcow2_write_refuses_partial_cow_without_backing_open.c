/* test_qcow2_write_refuses_partial_cow_without_backing_open: a partial write into an unallocated cluster of an overlay opened without its backing file is refused clearly. */
#include "qcow2test.h"

int
main (void)
{
  struct disk_create_options o = { .size = 1 << 20, .backing_file = "base.raw", .backing_format = "raw" };
  uint8_t buf[512] = { 1 };
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -q -f raw base.raw 1M");
  CHECK (qt_create_with ("top.qcow2", &o) == 0);
  d = qt_open ("top.qcow2", DISK_OPEN_WRITE | DISK_OPEN_NO_BACKING);
  error_clear ();
  CHECK (disk_pwrite (d, buf, sizeof buf, 512) == -1);
  CHECK (strstr (error_message (), "backing") != NULL);
  fprintf (stderr, "expected error: %s\n", error_message ());
  disk_close (d);
  CHECK (qt_check ("top.qcow2") == 0 || qt_check ("top.qcow2") == 3);
  return 0;
}
