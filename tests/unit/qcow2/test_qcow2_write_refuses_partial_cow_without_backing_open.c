/* test_qcow2_write_refuses_partial_cow_without_backing_open: a partial write into an unallocated cluster of an overlay opened without its backing file is refused clearly. */
#include "helpers.h"

int
main (void)
{
  const char *base, *top;
  struct disk_create_options o = { .size = 1 << 20, .backing_file = "base.raw", .backing_format = "raw" };
  uint8_t buf[512] = { 1 };
  struct disk *d;

  test_init ();
  base = tpath ("base.raw");
  top = tpath ("top.qcow2");
  RUN ("qemu-img create -q -f raw '%s' 1M", base);
  CHECK (disk_create ("qcow2", top, &o) == 0);
  d = disk_open (top, "qcow2", DISK_OPEN_WRITE | DISK_OPEN_NO_BACKING);
  CHECK (d != NULL);
  error_clear ();
  CHECK (disk_pwrite (d, buf, sizeof buf, 512) == -1);
  CHECK (strstr (error_message (), "backing") != NULL);
  fprintf (stderr, "expected error: %s\n", error_message ());
  disk_close (d);
  CHECK (qemu_img_check (top) == 0 || qemu_img_check (top) == 3);
  return 0;
}
