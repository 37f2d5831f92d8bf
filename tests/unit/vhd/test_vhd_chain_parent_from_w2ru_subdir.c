/* A relative Windows locator (W2ru ".\sub\base.vhd") is resolved against
 * the child's directory with backslashes turned into slashes, and wins
 * over an absolute one (W2ku) naming a file that also exists. */
#include "vhdtest.h"

int
main (void)
{
  struct vhdgen *g;

  test_init (false);
  test_run ("mkdir sub");
  vhdtest_make_base ("sub/base.vhd", 1);
  vhdtest_make_base ("base.vhd", 3);          /* the W2ku decoy */
  g = vhdtest_child_new (1, 2);
  vhdgen_add_locator (g, "W2ku", "D:\\base.vhd");
  vhdgen_add_locator (g, "W2ru", ".\\sub\\base.vhd");
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);
  vhdtest_expect_chain ("child.vhd", "sub/base.vhd", 1, 2);
  return 0;
}
