/* With zeroed_grain=on, qemu writes zeros in a child as GTE 1: that grain
 * reads as zeros (EXTENT_ZERO in the child), not as the parent's data. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;
  struct extent e;
  uint32_t gte;

  test_init (true);
  vt_make_chain ("-o zeroed_grain=on");
  test_run ("qemu-io -f vmdk -c 'write -z 1M 64k' child.vmdk");
  CHECK (vt_gte_location ("child.vmdk", 16, &gte) != 0);
  CHECK (gte == 1);
  test_compare_with_qemu ("child.vmdk", NULL);

  d = test_open ("child.vmdk");
  e = test_status_at (d, 1 << 20, 64 << 10);
  CHECK (e.type == EXTENT_ZERO && e.depth == 0 && e.length == 64 << 10);
  test_expect_bytes (d, 1 << 20, 64 << 10, 0);
  test_expect_bytes (d, 4 << 20, 64 << 10, 0xbb);
  disk_close (d);
  return 0;
}
