/* test_qcow2_write_refuses_compressed_overwrite: writing over a compressed cluster is refused with a clear error (no corruption). */
#include "helpers.h"

int
main (void)
{
  const char *raw, *img;
  uint8_t buf[4096];
  struct disk *d;

  test_init ();
  raw = tpath ("src.raw");
  img = tpath ("c.qcow2");
  RUN ("qemu-img create -q -f raw '%s' 1M", raw);
  RUN ("qemu-io -f raw -c 'write -P 0x11 0 64k' '%s' >/dev/null", raw);
  RUN ("qemu-img convert -c -f raw -O qcow2 '%s' '%s'", raw, img);
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  memset (buf, 1, sizeof buf);
  error_clear ();
  CHECK (disk_pwrite (d, buf, sizeof buf, 0) == -1);
  CHECK (strstr (error_message (), "compressed") != NULL);
  CHECK (disk_pwrite (d, buf, sizeof buf, 512 * 1024) == 0);
  disk_close (d);
  CHECK (qemu_img_check (img) == 0);
  return 0;
}
