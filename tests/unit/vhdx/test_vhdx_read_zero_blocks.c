/* test_vhdx_read_zero_blocks: qemu-img creates every block in
 * PAYLOAD_BLOCK_ZERO (its default block_state_zero=on, also for "fixed"
 * files); ferry reports such blocks as zero — neither data nor
 * unallocated — and NOT_PRESENT blocks (block_state_zero=off) as
 * unallocated, and reads both as zeros like qemu-img.
 *
 * qemu-img map cannot check this: qemu 7.2's vhdx driver has no block
 * status, so it reports the whole disk as data. */
#include "vhdxtest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -q -f vhdx -o block_size=1M z.vhdx 16M");
  test_run ("qemu-io -f vhdx -c 'write -P 0x99 4M 2M' z.vhdx >/dev/null");
  test_compare_with_qemu ("z.vhdx", "vhdx");
  d = test_open ("z.vhdx");
  vx_expect_status (d, 0, 16 << 20, EXTENT_ZERO, 4 << 20);
  vx_expect_status (d, 4 << 20, 12 << 20, EXTENT_DATA, 2 << 20);
  vx_expect_status (d, 6 << 20, 10 << 20, EXTENT_ZERO, 10 << 20);
  disk_close (d);

  test_run ("qemu-img create -q -f vhdx -o block_size=1M,block_state_zero=off "
            "u.vhdx 16M");
  test_run ("qemu-io -f vhdx -c 'write -P 0x99 4M 2M' u.vhdx >/dev/null");
  test_compare_with_qemu ("u.vhdx", "vhdx");
  d = test_open ("u.vhdx");
  vx_expect_status (d, 0, 16 << 20, EXTENT_UNALLOCATED, 4 << 20);
  vx_expect_status (d, 6 << 20, 10 << 20, EXTENT_UNALLOCATED, 10 << 20);
  disk_close (d);
  return 0;
}
