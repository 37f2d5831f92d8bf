/* test_vhdx_diff_rejects_loop: a child naming itself as its parent, and
 * two children naming each other, are refused as loops, not followed
 * forever. */
#include <string.h>

#include "vhdxtest.h"

static void
make (const char *name, const char *parent, const char *linkage)
{
  struct vhdxgen_options o = vx_child_options (8 << 20, 512, parent);
  struct vhdxgen *g;

  o.parent_linkage = linkage;
  o.data_write_guid = "{aaaaaaaa-0000-4000-8000-000000000001}";
  if (strcmp (name, "b.avhdx") == 0)
    o.data_write_guid = "{bbbbbbbb-0000-4000-8000-000000000002}";
  g = vhdxgen_new (&o);
  vhdxgen_save (g, name);
  vhdxgen_free (g);
}

int
main (void)
{
  test_init (false);
  make ("self.avhdx", "self.avhdx", "{aaaaaaaa-0000-4000-8000-000000000001}");
  test_expect_open_fails ("self.avhdx", NULL, 0, "loop");
  make ("a.avhdx", "b.avhdx", "{bbbbbbbb-0000-4000-8000-000000000002}");
  make ("b.avhdx", "a.avhdx", "{aaaaaaaa-0000-4000-8000-000000000001}");
  test_expect_open_fails ("a.avhdx", NULL, 0, "loop");
  return 0;
}
