/* A layer naming itself as its parent (with a matching CID) is a loop. */
#include "vmdktest.h"

int
main (void)
{
  uint32_t cid;
  char from[32], to[32];

  test_init (true);
  vt_make_chain ("");
  cid = vt_descriptor_cid ("child.vmdk", "CID=");
  snprintf (from, sizeof from, "parentCID=%" PRIx32,
            vt_descriptor_cid ("child.vmdk", "parentCID="));
  snprintf (to, sizeof to, "parentCID=%08" PRIx32, cid);
  vt_descriptor_replace ("child.vmdk", from, to);
  vt_descriptor_replace ("child.vmdk", "parentFileNameHint=\"base.vmdk\"",
                         "parentFileNameHint=\"child.vmdk\"");
  test_expect_open_fails ("child.vmdk", NULL, 0, "loop");
  return 0;
}
