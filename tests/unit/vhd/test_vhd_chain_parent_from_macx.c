/* A MacX locator is a file URL in UTF-8; Xen's blktap writes relative
 * ones ("file://./base.vhd").  Percent escapes are decoded. */
#include "vhdtest.h"

int
main (void)
{
  struct vhdgen *g;

  test_init (false);
  vhdtest_make_base ("my base.vhd", 1);
  g = vhdtest_child_new (1, 2);
  vhdgen_add_locator (g, "MacX", "file://./my%20base.vhd");
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);
  vhdtest_expect_chain ("child.vhd", "./my base.vhd", 1, 2);
  return 0;
}
