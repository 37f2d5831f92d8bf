/* When the preferred locator (W2ru) names a file that does not exist, the
 * next one that does is used: here the W2ku's file name. */
#include "vhdtest.h"

int
main (void)
{
  struct vhdgen *g;

  test_init (false);
  vhdtest_make_base ("base.vhd", 1);
  g = vhdtest_child_new (1, 2);
  vhdgen_add_locator (g, "W2ru", "..\\old-place\\base.vhd");
  vhdgen_add_locator (g, "W2ku", "\\\\server\\share\\base.vhd");
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);
  vhdtest_expect_chain ("child.vhd", "base.vhd", 1, 2);
  return 0;
}
