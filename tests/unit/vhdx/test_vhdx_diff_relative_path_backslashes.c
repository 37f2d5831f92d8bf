/* test_vhdx_diff_relative_path_backslashes: a relative_path written the
 * Windows way ("..\base\parent.vhdx") is followed with '/' separators,
 * relative to the child's directory. */

#include <string.h>

#include "vhdxtest.h"

int
main (void)
{
  struct vhdxgen_options o;
  struct vhdxgen *g;
  struct disk *d;

  test_init (false);
  test_run ("mkdir base snaps");
  vx_make_parent ("base/parent.vhdx", 8 << 20, 512);
  o = vx_child_options (8 << 20, 512, "..\\base\\parent.vhdx");
  o.absolute_win32_path = NULL;
  o.volume_path = NULL;
  g = vhdxgen_new (&o);
  vhdxgen_fill (g, 4096, 512, 0x31);
  vhdxgen_save (g, "snaps/child.avhdx");
  vhdxgen_free (g);

  d = test_open ("snaps/child.avhdx");
  CHECK (strcmp (d->backing_path, "../base/parent.vhdx") == 0);
  CHECK (d->backing != NULL);
  test_expect_bytes (d, 0, 4096, 0x11);
  test_expect_bytes (d, 4096, 512, 0x31);
  disk_close (d);
  return 0;
}
