/* A child whose parentCID differs from its parent's CID (the parent was
 * modified after the snapshot) is refused, naming both CIDs. */
#include "vmdktest.h"

int
main (void)
{
  uint32_t parent_cid;
  char from[32], to[32], want[64];

  test_init (true);
  vt_make_chain ("");
  parent_cid = vt_descriptor_cid ("child.vmdk", "parentCID=");
  CHECK (parent_cid == vt_descriptor_cid ("base.vmdk", "CID="));
  snprintf (from, sizeof from, "parentCID=%" PRIx32, parent_cid);
  snprintf (to, sizeof to, "parentCID=%" PRIx32, parent_cid ^ 0x1234);
  vt_descriptor_replace ("child.vmdk", from, to);
  snprintf (want, sizeof want, "parent CID mismatch (parentCID=%08" PRIx32
            ", parent's CID=%08" PRIx32, parent_cid ^ 0x1234, parent_cid);
  test_expect_open_fails ("child.vmdk", NULL, 0, want);
  return 0;
}
