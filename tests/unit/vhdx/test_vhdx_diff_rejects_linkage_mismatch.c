/* test_vhdx_diff_rejects_linkage_mismatch: a child whose parent_linkage
 * is not the parent's DataWriteGuid (the parent changed after the
 * checkpoint) is refused with both GUIDs in the message. */
#include "vhdxtest.h"

int
main (void)
{
  struct vhdxgen_options o;
  struct vhdxgen *g;

  test_init (false);
  vx_make_parent ("parent.vhdx", 8 << 20, 512);
  o = vx_child_options (8 << 20, 512, "parent.vhdx");
  o.parent_linkage = "{01234567-89ab-cdef-0123-456789abcdef}";
  g = vhdxgen_new (&o);
  vhdxgen_save (g, "child.avhdx");
  vhdxgen_free (g);
  test_expect_open_fails ("child.avhdx", NULL, 0, "parent linkage mismatch");
  test_expect_open_fails ("child.avhdx", NULL, 0,
                          "01234567-89AB-CDEF-0123-456789ABCDEF");
  test_expect_open_fails ("child.avhdx", NULL, 0,
                          "6B1E3F0A-2C4D-4E5F-8A9B-0C1D2E3F4A5B");
  return 0;
}
