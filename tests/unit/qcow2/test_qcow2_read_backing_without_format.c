/* test_qcow2_read_backing_without_format: without a backing format extension, backing_format is NULL and the backing file is probed. */
#include "helpers.h"

int
main (void)
{
  const char *base, *top;
  uint8_t buf[4096];
  struct disk *d;
  int fd;

  test_init ();
  base = tpath ("base.raw");
  top = tpath ("top.qcow2");
  RUN ("qemu-img create -q -f raw '%s' 4M", base);
  RUN ("qemu-io -f raw -c 'write -P 0x11 0 1M' '%s' >/dev/null", base);
  RUN ("qemu-img create -q -f qcow2 -b base.raw -F raw '%s'", top);
  RUN ("qemu-io -f qcow2 -c 'write -P 0x22 8192 4096' '%s' >/dev/null", top);
  /* Hide the backing format extension by renaming its type. */
  fd = open (top, O_RDONLY);
  CHECK (fd >= 0 && pread (fd, buf, sizeof buf, 0) == sizeof buf);
  close (fd);
  for (size_t i = 104; i + 4 <= sizeof buf; i += 8)
    if (buf[i] == 0xe2 && buf[i + 1] == 0x79 && buf[i + 2] == 0x2a
        && buf[i + 3] == 0xca) {
      patch_be32 (top, i, 0x12345678);
      break;
    }
  d = disk_open (top, NULL, 0);
  CHECK (d != NULL);
  CHECK (d->backing_path && strcmp (d->backing_path, "base.raw") == 0);
  CHECK (d->backing_format == NULL);
  CHECK (d->backing && strcmp (d->backing->driver->name, "raw") == 0);
  disk_close (d);
  compare_with_qemu (top);
  return 0;
}
