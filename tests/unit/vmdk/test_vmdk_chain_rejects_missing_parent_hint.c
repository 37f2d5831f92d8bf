/* parentCID set but no parentFileNameHint: nothing names the parent. */
#include "vmdktest.h"

int
main (void)
{
  test_init (true);
  vt_make_chain ("");
  vt_descriptor_replace ("child.vmdk", "parentFileNameHint=", "unusedKeyNameHint=");
  test_expect_open_fails ("child.vmdk", NULL, 0, "no parentFileNameHint");
  return 0;
}
