/* test_vhdx_read_fixed: ferry reads a fixed VHDX (every block
 * FULLY_PRESENT: qemu-img does so with block_state_zero=off; with its
 * default it marks the preallocated blocks PAYLOAD_BLOCK_ZERO) as qemu-img
 * and libvhdi do, and reports every block as data. */
#include "vhdxtest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -q -f vhdx -o subformat=fixed,block_state_zero=off "
            "f.vhdx 24M");
  test_run ("qemu-io -f vhdx -c 'write -P 0x5a 3M 5k' "
            "-c 'write -P 0xee 20M 4M' f.vhdx >/dev/null");
  test_compare_with_qemu ("f.vhdx", "vhdx");
  vx_compare_with_pyvhdi ("f.vhdx", NULL);
  d = test_open ("f.vhdx");
  vx_expect_status (d, 0, d->size, EXTENT_DATA, d->size);
  disk_close (d);
  return 0;
}
