/* test_qcow2_write_refuses_compressed_overwrite: writing over a compressed cluster is refused with a clear error (no corruption). */
#include "qcow2test.h"

int
main (void)
{
  uint8_t buf[4096];
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -q -f raw src.raw 1M");
  test_run ("qemu-io -f raw -c 'write -P 0x11 0 64k' src.raw >/dev/null");
  test_run ("qemu-img convert -c -f raw -O qcow2 src.raw c.qcow2");
  d = qt_open_write ("c.qcow2");
  memset (buf, 1, sizeof buf);
  error_clear ();
  CHECK (disk_pwrite (d, buf, sizeof buf, 0) == -1);
  CHECK (strstr (error_message (), "compressed") != NULL);
  CHECK (disk_pwrite (d, buf, sizeof buf, 512 * 1024) == 0);
  disk_close (d);
  CHECK (qt_check ("c.qcow2") == 0);
  return 0;
}
