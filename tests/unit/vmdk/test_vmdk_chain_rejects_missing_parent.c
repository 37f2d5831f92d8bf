/* The parent named by parentFileNameHint does not exist. */
#include "chain.h"

int
main (void)
{
  th_init (true);
  th_make_chain ("");
  th_run ("rm base.vmdk");
  th_expect_open_fails ("child.vmdk", NULL, "base.vmdk");
  return 0;
}
