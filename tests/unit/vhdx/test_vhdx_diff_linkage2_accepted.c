/* test_vhdx_diff_linkage2_accepted: a parent whose DataWriteGuid matches
 * parent_linkage2 (and not parent_linkage) is accepted, as the spec
 * allows. */
#include "vhdxtest.h"

int
main (void)
{
  struct vhdxgen_options o;
  struct vhdxgen *g;
  struct disk *d;

  test_init (false);
  vx_make_parent ("parent.vhdx", 8 << 20, 512);
  o = vx_child_options (8 << 20, 512, "parent.vhdx");
  o.parent_linkage = "{01234567-89ab-cdef-0123-456789abcdef}";
  o.parent_linkage2 = VX_PARENT_GUID;
  g = vhdxgen_new (&o);
  vhdxgen_save (g, "child.avhdx");
  vhdxgen_free (g);
  d = test_open ("child.avhdx");
  test_expect_bytes (d, 0, 4096, 0x11);
  disk_close (d);
  return 0;
}
