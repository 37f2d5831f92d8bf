/* A sparse 6 GiB dynamic disk with data past 4 GiB (BAT entries and
 * offsets beyond 32 bits of bytes) reads like qemu-img reads it. */
#include "vhdtest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -f vpc -o subformat=dynamic,force_size=on "
            "d.vhd 6G");
  test_run ("qemu-io -f vpc -c 'write -P 0x41 4G 64k' "
            "-c 'write -P 0x42 4093M 2M' -c 'write -P 0x43 6143M 1M' "
            "-c 'write -P 0x44 0 4k' d.vhd");
  test_compare_with_qemu ("d.vhd", NULL);
  test_compare_map_with_qemu ("d.vhd", NULL, true);
  d = test_open ("d.vhd");
  CHECK (d->size == UINT64_C (6) << 30);
  test_expect_bytes (d, UINT64_C (4) << 30, 64 << 10, 0x41);
  test_expect_bytes (d, (UINT64_C (6143) << 20), 1 << 20, 0x43);
  disk_close (d);
  return 0;
}
