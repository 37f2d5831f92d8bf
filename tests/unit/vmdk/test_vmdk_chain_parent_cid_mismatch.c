/* A child whose parentCID differs from its parent's CID (the parent was
 * modified after the snapshot) is refused, naming both CIDs. */
#include "chain.h"

int
main (void)
{
  uint32_t parent_cid;
  char from[32], to[32], want[64];

  th_init (true);
  th_make_chain ("");
  parent_cid = th_descriptor_cid ("child.vmdk", "parentCID=");
  CHECK (parent_cid == th_descriptor_cid ("base.vmdk", "CID="));
  snprintf (from, sizeof from, "parentCID=%" PRIx32, parent_cid);
  snprintf (to, sizeof to, "parentCID=%" PRIx32, parent_cid ^ 0x1234);
  th_descriptor_replace ("child.vmdk", from, to);
  snprintf (want, sizeof want, "parent CID mismatch (parentCID=%08" PRIx32
            ", parent's CID=%08" PRIx32, parent_cid ^ 0x1234, parent_cid);
  th_expect_open_fails ("child.vmdk", NULL, want);
  return 0;
}
