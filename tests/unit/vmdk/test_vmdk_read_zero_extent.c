/* A descriptor mixing FLAT extents (one at an offset into its file) and a
 * ZERO extent: bytes land where the extents say, and the ZERO extent is
 * reported as zeros. */
#include "vmdktest.h"

int
main (void)
{
  static uint8_t data[2 << 20];
  struct disk *d;

  test_init (false);
  memset (data, 0x11, 1 << 20);
  memset (data + (1 << 20), 0x22, 1 << 20);
  test_write_file ("data.bin", data, sizeof data);
  test_write_text ("d.vmdk",
                 "# Disk DescriptorFile\n"
                 "version=1\n"
                 "CID=fffffffe\n"
                 "parentCID=ffffffff\n"
                 "createType=\"custom\"\n"
                 "RW 2048 FLAT \"data.bin\" 0\n"
                 "RW 4096 ZERO\n"
                 "RDONLY 1024 FLAT \"data.bin\" 3072\n");
  d = test_open ("d.vmdk");
  CHECK (d->size == (2048 + 4096 + 1024) * 512);
  test_expect_bytes (d, 0, 1 << 20, 0x11);
  test_expect_bytes (d, 1 << 20, 2 << 20, 0);
  test_expect_bytes (d, 3 << 20, 512 << 10, 0x22);
  test_expect_status (d, 1 << 20, 2 << 20, EXTENT_ZERO, 2 << 20);
  test_expect_status (d, (1 << 20) - 512, 4096, EXTENT_DATA, 512);
  /* One read across all three extents. */
  {
    static uint8_t buf[3 << 20];
    CHECK (disk_pread (d, buf, sizeof buf, 512 << 10) == 0);
    CHECK (buf[0] == 0x11 && buf[(512 << 10) - 1] == 0x11);
    CHECK (buf[512 << 10] == 0 && buf[(5 << 19) - 1] == 0);
    CHECK (buf[5 << 19] == 0x22 && buf[sizeof buf - 1] == 0x22);
  }
  CHECK (vmdk_get_descriptor (d)->extents[2].access == VMDK_ACCESS_RDONLY);
  CHECK (vmdk_get_descriptor (d)->extents[2].offset == 3072);
  disk_close (d);
  return 0;
}
