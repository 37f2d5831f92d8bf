/* test_vhdx_read_generated_dynamic: a dynamic VHDX written by the test
 * generator from the spec (not by qemu) reads the same in ferry, qemu-img
 * and libvhdi: this checks the generator as much as the driver. */
#include "vhdxtest.h"

int
main (void)
{
  struct vhdxgen *g;
  uint8_t buf[200000];

  test_init (true);
  g = vx_gen_dynamic (40 << 20, 2 << 20, 512);
  test_fill_pattern (buf, sizeof buf, 1);
  vhdxgen_write (g, (2 << 20) - 1000, buf, sizeof buf);
  vhdxgen_fill (g, 30 << 20, 4 << 20, 0x3c);
  vhdxgen_fill (g, (40 << 20) - 512, 512, 0xc3);
  vhdxgen_save (g, "g.vhdx");
  vhdxgen_free (g);

  test_compare_with_qemu ("g.vhdx", "vhdx");
  vx_compare_with_pyvhdi ("g.vhdx", NULL);
  return 0;
}
