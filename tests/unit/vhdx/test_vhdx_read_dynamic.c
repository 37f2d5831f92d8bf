/* test_vhdx_read_dynamic: ferry reads a dynamic VHDX made by qemu-img
 * (some blocks written, some never) as qemu-img and libvhdi do. */
#include "vhdxtest.h"

int
main (void)
{
  test_init (true);
  test_run ("qemu-img create -q -f vhdx -o subformat=dynamic d.vhdx 64M");
  test_run ("qemu-io -f vhdx -c 'write -P 0xab 1M 64k' "
            "-c 'write -P 0x11 10000k 3000k' -c 'write -P 0xcd 63M 1M' "
            "d.vhdx >/dev/null");
  test_compare_with_qemu ("d.vhdx", "vhdx");
  vx_compare_with_pyvhdi ("d.vhdx", NULL);
  return 0;
}
