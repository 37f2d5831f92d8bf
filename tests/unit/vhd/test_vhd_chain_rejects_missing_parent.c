/* A missing parent fails naming the file looked for; a differencing disk
 * with no locator and no parent name fails saying so; a parent that is
 * not a VHD is refused. */
#include "vhdtest.h"

int
main (void)
{
  struct vhdgen *g;

  test_init (false);
  g = vhdtest_child_new (1, 2);
  vhdgen_add_locator (g, "W2ku", "C:\\VMs\\base.vhd");
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);
  test_expect_open_fails ("child.vhd", NULL, 0, "base.vhd");

  g = vhdtest_child_new (1, 2);
  vhdgen_save (g, "orphan.vhd");
  vhdgen_free (g);
  test_expect_open_fails ("orphan.vhd", NULL, 0, "does not name its parent");

  test_write_text ("base.vhd", "not a disk image at all\n");
  test_truncate ("base.vhd", 1 << 20);
  test_expect_open_fails ("child.vhd", NULL, 0, "not a VHD image");
  return 0;
}
