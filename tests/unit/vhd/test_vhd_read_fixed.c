/* A fixed VHD made by qemu-img (guest bytes, then the footer) reads like
 * `qemu-img convert -f vpc`; host holes are reported as zeros. */
#include "vhdtest.h"

int
main (void)
{
  struct disk *d;
  struct extent e;

  test_init (true);
  test_run ("qemu-img create -f vpc -o subformat=fixed f.vhd 20M");
  test_run ("qemu-io -f vpc -c 'write -P 0xab 1M 64k' "
            "-c 'write -P 0xcd 4095k 2k' -c 'write -P 0x22 18M 1M' f.vhd");
  vhdtest_compare_with_qemu ("f.vhd");

  d = vhdtest_open ("f.vhd");
  /* qemu-img rounds 20M up to a CHS geometry and records that size */
  CHECK (d->size == test_file_size ("f.vhd") - 512);
  CHECK (d->size >= 20 << 20);
  test_expect_bytes (d, 18 << 20, 1 << 20, 0x22);
  e = test_status_at (d, 8 << 20, 1 << 20);
  CHECK (e.type == EXTENT_ZERO);
  disk_close (d);
  return 0;
}
