/* qemu-img's force_size=on writes creator "qem2" and the largest CHS
 * geometry: the size is current_size, not a geometry's.  Same bytes as
 * qemu-img, for a size that no geometry can express. */
#include "vhdtest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -f vpc -o subformat=fixed,force_size=on "
            "f.vhd 10000k");
  test_run ("qemu-io -f vpc -c 'write -P 0x5a 9999k 1k' f.vhd");
  vhdtest_compare_with_qemu ("f.vhd");
  d = vhdtest_open ("f.vhd");
  CHECK (d->size == 10000 << 10);
  test_expect_bytes (d, 9999 << 10, 1 << 10, 0x5a);
  disk_close (d);
  return 0;
}
