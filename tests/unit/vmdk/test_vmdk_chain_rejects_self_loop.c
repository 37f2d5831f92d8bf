/* A layer naming itself as its parent (with a matching CID) is a loop. */
#include "chain.h"

int
main (void)
{
  uint32_t cid;
  char from[32], to[32];

  th_init (true);
  th_make_chain ("");
  cid = th_descriptor_cid ("child.vmdk", "CID=");
  snprintf (from, sizeof from, "parentCID=%" PRIx32,
            th_descriptor_cid ("child.vmdk", "parentCID="));
  snprintf (to, sizeof to, "parentCID=%08" PRIx32, cid);
  th_descriptor_replace ("child.vmdk", from, to);
  th_descriptor_replace ("child.vmdk", "parentFileNameHint=\"base.vmdk\"",
                         "parentFileNameHint=\"child.vmdk\"");
  th_expect_open_fails ("child.vmdk", NULL, "loop");
  return 0;
}
