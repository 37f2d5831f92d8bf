/* A dynamic disk whose size is not a multiple of the 2 MiB block (with
 * force_size=on the size is exact): the last block is partly outside the
 * disk and its data reads back up to the last byte. */
#include "vhdtest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -f vpc -o subformat=dynamic,force_size=on "
            "d.vhd 5121k");
  test_run ("qemu-io -f vpc -c 'write -P 0x77 5119k 2k' "
            "-c 'write -P 0x78 0 512' d.vhd");
  test_compare_with_qemu ("d.vhd", NULL);
  test_compare_map_with_qemu ("d.vhd", NULL, true);
  d = test_open ("d.vhd");
  CHECK (d->size == 5121 << 10);
  test_expect_bytes (d, 5119 << 10, 2 << 10, 0x77);
  disk_close (d);
  return 0;
}
