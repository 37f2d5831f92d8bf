/* With only an absolute Windows locator (W2ku "C:\VMs\base.vhd", which
 * cannot exist here), the parent is looked for by its file name next to
 * the child; so too for a "relative" W2ru that is relative only to the
 * drive ("\VMs\base.vhd"), which must not become the POSIX "/VMs/...". */
#include "vhdtest.h"

int
main (void)
{
  struct vhdgen *g;

  test_init (false);
  vhdtest_make_base ("base.vhd", 1);
  g = vhdtest_child_new (1, 2);
  vhdgen_add_locator (g, "W2ku", "C:\\VMs\\Disks\\base.vhd");
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);
  vhdtest_expect_chain ("child.vhd", "base.vhd", 1, 2);

  g = vhdtest_child_new (1, 3);
  vhdgen_add_locator (g, "W2ru", "\\VMs\\base.vhd");
  vhdgen_save (g, "child2.vhd");
  vhdgen_free (g);
  vhdtest_expect_chain ("child2.vhd", "base.vhd", 1, 3);
  return 0;
}
