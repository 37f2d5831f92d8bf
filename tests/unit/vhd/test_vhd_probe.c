/* Dynamic and differencing disks are recognised by the footer copy at
 * offset 0.  A fixed disk has its footer only at the end: the head probe
 * does not see it (QEMU takes such a file for raw), the tail probe does,
 * but only when the footer is whole (checksum, fixed type, size). */
#include "vhdtest.h"

int
main (void)
{
  const struct disk_driver *vhd = disk_driver_find ("vhd");
  uint8_t buf[DISK_PROBE_SIZE];
  struct vhdgen *g;
  struct disk *d;
  size_t n;

  test_init (true);
  CHECK (vhd != NULL);
  test_run ("qemu-img create -f vpc d.vhd 4M");
  n = test_file_size ("d.vhd") < sizeof buf ? test_file_size ("d.vhd")
                                             : sizeof buf;
  test_read_at ("d.vhd", 0, buf, n);
  CHECK (vhd->probe (buf, n, test_file_size ("d.vhd")) == 100);
  d = test_open ("d.vhd");
  CHECK (d->driver == vhd);
  disk_close (d);

  test_run ("qemu-img create -f vpc -o subformat=fixed f.vhd 4M");
  test_read_at ("f.vhd", 0, buf, sizeof buf);
  CHECK (vhd->probe (buf, sizeof buf, test_file_size ("f.vhd")) == 0);
  test_read_at ("f.vhd", test_file_size ("f.vhd") - 512, buf, 512);
  CHECK (vhd->probe_tail (buf, 512, test_file_size ("f.vhd")) == 100);
  d = test_open ("f.vhd");
  CHECK (d->driver == vhd);
  disk_close (d);

  /* a damaged footer checksum: the file stays raw */
  buf[100] ^= 1;
  CHECK (vhd->probe_tail (buf, 512, test_file_size ("f.vhd")) == 0);
  test_patch ("f.vhd", test_file_size ("f.vhd") - 512, buf, 512);
  d = test_open ("f.vhd");
  CHECK (strcmp (d->driver->name, "raw") == 0);
  disk_close (d);

  g = vhdgen_new (VHDGEN_FIXED, 2048, 0);       /* whole file: 2560 bytes */
  vhdgen_save (g, "tiny.vhd");
  vhdgen_free (g);
  d = test_open ("tiny.vhd");
  CHECK (d->driver == vhd && d->size == 2048);
  disk_close (d);

  memset (buf, 0, sizeof buf);
  CHECK (vhd->probe (buf, sizeof buf, 1 << 20) == 0);
  memcpy (buf, "conectix", 8);
  CHECK (vhd->probe (buf, 7, 7) == 0);
  return 0;
}
