/* A grain table entry of 1 (a zeroed grain) reads as zeros and is
 * reported EXTENT_ZERO, not unallocated and not as the bytes at sector 1;
 * qemu-img agrees once the header's zeroed-grain flag is set. */
#include "helpers.h"

int
main (void)
{
  struct disk *d;
  struct extent e;
  uint64_t at;
  uint32_t gte;

  th_init (true);
  th_run ("qemu-img create -f vmdk d.vmdk 8M");
  th_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 128k' d.vmdk");
  at = th_gte_location ("d.vmdk", 16, &gte);   /* 1 MiB / 64 KiB */
  CHECK (at != 0 && gte > 1);
  th_patch_le32 ("d.vmdk", at, 1);
  th_patch_le32 ("d.vmdk", TH_HDR_FLAGS,
                 th_read_le32 ("d.vmdk", TH_HDR_FLAGS) | 4);

  d = th_open ("d.vmdk");
  e = th_status_at (d, 1 << 20, 1 << 20);
  CHECK (e.type == EXTENT_ZERO && e.length == 64 << 10);
  e = th_status_at (d, (1 << 20) + (64 << 10), 1 << 20);
  CHECK (e.type == EXTENT_DATA && e.length == 64 << 10);
  th_expect_bytes (d, 1 << 20, 64 << 10, 0);
  th_expect_bytes (d, (1 << 20) + (64 << 10), 64 << 10, 0xab);
  disk_close (d);
  th_compare_with_qemu ("d.vmdk");
  return 0;
}
