/* test_vhdx_diff_absolute_path_fallback: a differencing disk whose
 * locator has no relative_path is opened through the base name of its
 * absolute_win32_path (a Windows path cannot exist here), looked up next
 * to the child; with neither, volume_path's base name is used. */
#include <string.h>

#include "vhdxtest.h"

static void
check (const char *child, struct vhdxgen_options o)
{
  struct vhdxgen *g = vhdxgen_new (&o);
  struct disk *d;

  vhdxgen_fill (g, 0, 512, 0x99);
  vhdxgen_save (g, child);
  vhdxgen_free (g);
  d = test_open (child);
  CHECK (d->backing != NULL);
  CHECK (strcmp (d->backing_path, "parent.vhdx") == 0);
  test_expect_bytes (d, 0, 512, 0x99);
  test_expect_bytes (d, 512, 4096, 0x11);
  disk_close (d);
}

int
main (void)
{
  struct vhdxgen_options o;

  test_init (false);
  vx_make_parent ("parent.vhdx", 8 << 20, 512);
  o = vx_child_options (8 << 20, 512, NULL);
  check ("abs.avhdx", o);
  o.absolute_win32_path = NULL;
  check ("vol.avhdx", o);
  return 0;
}
