/* vhd.c: placeholder until the driver lands. */
#include "disk/disk.h"

static int
vhd_probe (const uint8_t *buf, size_t len, uint64_t file_size)
{
  return 0;
}

const struct disk_driver disk_driver_vhd = {
  .name = "vhd",
  .probe = vhd_probe,
};
