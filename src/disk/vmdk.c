/* vmdk.c: placeholder until the driver lands. */
#include "disk/disk.h"

static int
vmdk_probe (const uint8_t *buf, size_t len, uint64_t file_size)
{
  return 0;
}

const struct disk_driver disk_driver_vmdk = {
  .name = "vmdk",
  .probe = vmdk_probe,
};
