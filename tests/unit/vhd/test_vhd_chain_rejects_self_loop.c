/* A differencing disk naming itself as its parent (with its own UUID as
 * the parent UUID, so that only the loop check can catch it) is refused. */
#include "vhdtest.h"

int
main (void)
{
  struct vhdgen *g;
  uint8_t uuid[16];

  test_init (false);
  g = vhdtest_child_new (1, 2);
  vhdgen_uuid (2, uuid);
  vhdgen_set_parent (g, uuid, NULL);
  vhdgen_add_locator (g, "W2ru", ".\\child.vhd");
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);
  test_expect_open_fails ("child.vhd", NULL, 0, "loop");
  return 0;
}
