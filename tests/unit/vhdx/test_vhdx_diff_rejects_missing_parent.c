/* test_vhdx_diff_rejects_missing_parent: a child whose parent file is
 * not there is refused with a message naming the file. */
#include "vhdxtest.h"

int
main (void)
{
  struct vhdxgen_options o;
  struct vhdxgen *g;

  test_init (false);
  o = vx_child_options (8 << 20, 512, "gone.vhdx");
  g = vhdxgen_new (&o);
  vhdxgen_save (g, "child.avhdx");
  vhdxgen_free (g);
  test_expect_open_fails ("child.avhdx", NULL, 0, "gone.vhdx");
  return 0;
}
