/* Fixed disks made before Virtual PC 2004 end in a 511-byte footer (the
 * specification says so): found, and the guest bytes before it read. */
#include "vhdtest.h"

int
main (void)
{
  static uint8_t data[1 << 20];
  struct vhdgen *g;
  struct disk *d;
  uint8_t *got;

  test_init (false);
  g = vhdgen_new (VHDGEN_FIXED, sizeof data, 0);
  test_fill_pattern (data, sizeof data, 4);
  vhdgen_write (g, 0, data, sizeof data);
  vhdgen_save (g, "f.vhd");
  vhdgen_free (g);
  /* the footer's last byte is reserved (zero): drop it */
  test_truncate ("f.vhd", sizeof data + 511);
  d = vhdtest_open ("f.vhd");
  CHECK (d->size == sizeof data);
  got = vhdtest_read_all (d);
  CHECK (memcmp (got, data, sizeof data) == 0);
  free (got);
  disk_close (d);
  return 0;
}
