/* With zeroed_grain=on, qemu writes zeros in a child as GTE 1: that grain
 * reads as zeros (EXTENT_ZERO in the child), not as the parent's data. */
#include "chain.h"

int
main (void)
{
  struct disk *d;
  struct extent e;
  uint32_t gte;

  th_init (true);
  th_make_chain ("-o zeroed_grain=on");
  th_run ("qemu-io -f vmdk -c 'write -z 1M 64k' child.vmdk");
  CHECK (th_gte_location ("child.vmdk", 16, &gte) != 0);
  CHECK (gte == 1);
  th_compare_with_qemu ("child.vmdk");

  d = th_open ("child.vmdk");
  e = th_status_at (d, 1 << 20, 64 << 10);
  CHECK (e.type == EXTENT_ZERO && e.depth == 0 && e.length == 64 << 10);
  th_expect_bytes (d, 1 << 20, 64 << 10, 0);
  th_expect_bytes (d, 4 << 20, 64 << 10, 0xbb);
  disk_close (d);
  return 0;
}
