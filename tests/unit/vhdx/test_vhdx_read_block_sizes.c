/* test_vhdx_read_block_sizes: ferry reads dynamic VHDX files with the
 * smallest (1 MiB), a middle (8 MiB) and the largest (256 MiB) block size
 * as qemu-img does, with writes straddling block boundaries. */
#include "vhdxtest.h"

int
main (void)
{
  static const char *const sizes[] = { "1M", "8M", "256M" };

  test_init (true);
  for (size_t i = 0; i < 3; i++) {
    char name[32];
    snprintf (name, sizeof name, "b%s.vhdx", sizes[i]);
    test_run ("qemu-img create -q -f vhdx -o block_size=%s '%s' 600M",
              sizes[i], name);
    test_run ("qemu-io -f vhdx -c 'write -P 0x21 1020k 8k' "
              "-c 'write -P 0x42 255M 2M' -c 'write -P 0x63 599M 1M' "
              "'%s' >/dev/null", name);
    test_compare_with_qemu (name, "vhdx");
    vx_compare_with_pyvhdi (name, NULL);
  }
  return 0;
}
