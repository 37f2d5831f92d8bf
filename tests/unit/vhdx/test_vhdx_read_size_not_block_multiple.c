/* test_vhdx_read_size_not_block_multiple: a disk whose size ends inside
 * its last block reads like qemu-img, up to the exact last byte. */
#include "vhdxtest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  /* 10 MiB + 7 sectors with 8 MiB blocks */
  test_run ("qemu-img create -q -f vhdx -o block_size=8M t.vhdx 10489344");
  test_run ("qemu-io -f vhdx -c 'write -P 0x77 10484224 5120' t.vhdx "
            ">/dev/null");
  d = test_open ("t.vhdx");
  if (d->size != 10489344)
    FAIL ("size %" PRIu64, d->size);
  test_expect_extents_tile (d);
  disk_close (d);
  test_compare_with_qemu ("t.vhdx", "vhdx");
  vx_compare_with_pyvhdi ("t.vhdx", NULL);
  return 0;
}
