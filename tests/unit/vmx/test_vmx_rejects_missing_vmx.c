/* A .vmx that does not exist, or is a directory, is an error naming it. */
#include "vmxtest.h"

int
main (void)
{
  test_init (false);
  vt_expect_fails ("nothere.vmx", "nothere.vmx", "No such file", NULL);
  test_run ("mkdir dir.vmx");
  vt_expect_fails ("dir.vmx", "vmx: dir.vmx: ", NULL);
  return 0;
}
