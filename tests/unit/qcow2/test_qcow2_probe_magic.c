/* test_qcow2_probe_magic: probe scores QFI\xfb 100 and anything else 0. */
#include "qcow2test.h"

int
main (void)
{
  const struct disk_driver *drv = disk_driver_find ("qcow2");
  uint8_t good[8] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
  uint8_t bad[8] = { 'Q', 'F', 'I', 0xfa, 0, 0, 0, 3 };

  CHECK (drv != NULL);
  CHECK (drv->probe (good, sizeof good, 1 << 20) == 100);
  CHECK (drv->probe (bad, sizeof bad, 1 << 20) == 0);
  CHECK (drv->probe (good, 3, 3) == 0);
  CHECK (drv->probe (good, 0, 0) == 0);
  return 0;
}
