/* The parent named by parentFileNameHint does not exist. */
#include "vmdktest.h"

int
main (void)
{
  test_init (true);
  vt_make_chain ("");
  test_run ("rm base.vmdk");
  test_expect_open_fails ("child.vmdk", NULL, 0, "base.vmdk");
  return 0;
}
