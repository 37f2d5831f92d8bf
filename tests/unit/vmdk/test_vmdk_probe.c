/* The probe goes by content only: a sparse header or a text descriptor
 * scores 100, anything else 0. */
#include "vmdktest.h"

extern const struct disk_driver disk_driver_vmdk;

static int
probe (const char *s, uint64_t file_size)
{
  return disk_driver_vmdk.probe ((const uint8_t *) s, strlen (s), file_size);
}

int
main (void)
{
  uint8_t sparse[512] = { 'K', 'D', 'M', 'V', 1 };
  static uint8_t zeros[4096];
  static const char desc[] =
    "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\n";
  const struct disk_driver *raw = disk_driver_find ("raw");

  CHECK (disk_driver_find ("vmdk") == &disk_driver_vmdk);
  CHECK (disk_driver_vmdk.pwrite == NULL && disk_driver_vmdk.create == NULL);
  CHECK (disk_driver_vmdk.probe (sparse, sizeof sparse, 1 << 20) == 100);
  CHECK (disk_driver_vmdk.probe (sparse, 4, 4) == 100);
  CHECK (disk_driver_vmdk.probe (sparse, 3, 3) == 0);
  CHECK (probe (desc, sizeof desc) == 100);
  /* Leading blank lines and comments; spaces before '='; a NUL pad. */
  CHECK (probe ("\n  \n# made by hand\n# Disk DescriptorFile\n"
                "createType = \"vmfs\"\n", 100) == 100);
  {
    char padded[128] = "# Disk DescriptorFile\ncreateType=\"vmfs\"\n";
    CHECK (disk_driver_vmdk.probe ((uint8_t *) padded, sizeof padded, 128)
           == 100);
    /* createType only after the NUL does not count */
    memcpy (padded, "# Disk DescriptorFile\n\0createType=1\n", 36);
    CHECK (disk_driver_vmdk.probe ((uint8_t *) padded, 36, 36) == 0);
  }
  /* Not descriptors. */
  CHECK (probe ("# Disk DescriptorFile\nversion=1\n", 100) == 0);
  CHECK (probe ("version=1\n# Disk DescriptorFile\ncreateType=\"x\"\n", 100)
         == 0);
  CHECK (probe ("createType=\"vmfs\"\n", 100) == 0);
  CHECK (probe (desc, 2 << 20) == 0);          /* too large to be one */
  CHECK (disk_driver_vmdk.probe (zeros, sizeof zeros, 1 << 30) == 0);
  CHECK (probe ("QFI\xfb", 1 << 20) == 0);
  CHECK (raw->probe (sparse, sizeof sparse, 512) < 100);
  return 0;
}
