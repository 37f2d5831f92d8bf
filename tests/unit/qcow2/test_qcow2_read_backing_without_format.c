/* test_qcow2_read_backing_without_format: without a backing format extension, backing_format is NULL and the backing file is probed. */
#include "qcow2test.h"

int
main (void)
{
  uint8_t buf[4096];
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -q -f raw base.raw 4M");
  test_run ("qemu-io -f raw -c 'write -P 0x11 0 1M' base.raw >/dev/null");
  test_run ("qemu-img create -q -f qcow2 -b base.raw -F raw top.qcow2");
  test_run ("qemu-io -f qcow2 -c 'write -P 0x22 8192 4096' top.qcow2 >/dev/null");
  /* Hide the backing format extension by renaming its type. */
  test_read_at ("top.qcow2", 0, buf, sizeof buf);
  for (size_t i = 104; i + 4 <= sizeof buf; i += 8)
    if (buf[i] == 0xe2 && buf[i + 1] == 0x79 && buf[i + 2] == 0x2a
        && buf[i + 3] == 0xca) {
      test_patch_be32 ("top.qcow2", i, 0x12345678);
      break;
    }
  d = test_open ("top.qcow2");
  CHECK (d->backing_path && strcmp (d->backing_path, "base.raw") == 0);
  CHECK (d->backing_format == NULL);
  CHECK (d->backing && strcmp (d->backing->driver->name, "raw") == 0);
  disk_close (d);
  qt_compare_with_qemu ("top.qcow2");
  return 0;
}
