/* test_vhdx_probe: the "vhdxfile" identifier at offset 0 scores 100 and
 * anything else 0; a qemu-img VHDX is probed as vhdx without a format. */
#include <string.h>

#include "vhdxtest.h"

int
main (void)
{
  const struct disk_driver *drv = disk_driver_find ("vhdx");
  uint8_t buf[DISK_PROBE_SIZE] = "vhdxfile";
  struct disk *d;

  CHECK (drv != NULL);
  CHECK (drv->probe (buf, sizeof buf, 8 << 20) == 100);
  CHECK (drv->probe (buf, 7, 7) == 0);
  buf[7] = 'E';
  CHECK (drv->probe (buf, sizeof buf, 8 << 20) == 0);
  memcpy (buf, "conectix", 8);                   /* VHD footer copy */
  CHECK (drv->probe (buf, sizeof buf, 8 << 20) == 0);

  test_init (true);
  test_run ("qemu-img create -q -f vhdx p.vhdx 8M");
  d = test_open ("p.vhdx");
  CHECK (strcmp (d->driver->name, "vhdx") == 0);
  disk_close (d);
  return 0;
}
