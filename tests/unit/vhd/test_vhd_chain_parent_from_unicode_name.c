/* Without locators, the parent unicode name in the dynamic header
 * (UTF-16BE) names the parent, non-ASCII characters included. */
#include "vhdtest.h"

int
main (void)
{
  struct vhdgen *g;
  uint8_t uuid[16];

  test_init (false);
  vhdtest_make_base ("b\xc3\xa4se-\xf0\x9f\x92\xbe.vhd", 1);
  g = vhdtest_child_new (1, 2);
  vhdgen_uuid (1, uuid);
  vhdgen_set_parent (g, uuid, "b\xc3\xa4se-\xf0\x9f\x92\xbe.vhd");
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);
  vhdtest_expect_chain ("child.vhd", "b\xc3\xa4se-\xf0\x9f\x92\xbe.vhd", 1,
                        2);
  return 0;
}
