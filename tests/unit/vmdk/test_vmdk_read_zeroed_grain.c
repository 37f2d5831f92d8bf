/* A grain table entry of 1 (a zeroed grain) reads as zeros and is
 * reported EXTENT_ZERO, not unallocated and not as the bytes at sector 1;
 * qemu-img agrees once the header's zeroed-grain flag is set. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;
  uint64_t at;
  uint32_t gte;

  test_init (true);
  test_run ("qemu-img create -f vmdk d.vmdk 8M");
  test_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 128k' d.vmdk");
  at = vt_gte_location ("d.vmdk", 16, &gte);   /* 1 MiB / 64 KiB */
  CHECK (at != 0 && gte > 1);
  test_patch_le32 ("d.vmdk", at, 1);
  test_patch_le32 ("d.vmdk", VT_HDR_FLAGS,
                 test_read_le32 ("d.vmdk", VT_HDR_FLAGS) | 4);

  d = test_open ("d.vmdk");
  test_expect_status (d, 1 << 20, 1 << 20, EXTENT_ZERO, 64 << 10);
  test_expect_status (d, (1 << 20) + (64 << 10), 1 << 20, EXTENT_DATA,
                      64 << 10);
  test_expect_bytes (d, 1 << 20, 64 << 10, 0);
  test_expect_bytes (d, (1 << 20) + (64 << 10), 64 << 10, 0xab);
  disk_close (d);
  test_compare_with_qemu ("d.vmdk", NULL);
  return 0;
}
