/* parentCID set but no parentFileNameHint: nothing names the parent. */
#include "chain.h"

int
main (void)
{
  th_init (true);
  th_make_chain ("");
  th_descriptor_replace ("child.vmdk", "parentFileNameHint=", "unusedKeyNameHint=");
  th_expect_open_fails ("child.vmdk", NULL, "no parentFileNameHint");
  return 0;
}
