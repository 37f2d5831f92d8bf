/* a.vhd's parent is b.vhd and b.vhd's parent is a.vhd (UUIDs matching
 * both ways): refused as a loop. */
#include "vhdtest.h"

int
main (void)
{
  struct vhdgen *g;

  test_init (false);
  g = vhdtest_child_new (2, 1);               /* a: UUID 1, parent 2 */
  vhdgen_add_locator (g, "W2ru", "b.vhd");
  vhdgen_save (g, "a.vhd");
  vhdgen_free (g);
  g = vhdtest_child_new (1, 2);               /* b: UUID 2, parent 1 */
  vhdgen_add_locator (g, "W2ru", "a.vhd");
  vhdgen_save (g, "b.vhd");
  vhdgen_free (g);
  test_expect_open_fails ("a.vhd", NULL, 0, "loop");
  return 0;
}
