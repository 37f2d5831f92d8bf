/* A .vmx larger than VMX_FILE_MAX is refused before it is read. */
#include "vmxtest.h"

int
main (void)
{
  test_init (false);
  test_write_text ("big.vmx", "displayName = \"big\"\n");
  test_truncate ("big.vmx", VMX_FILE_MAX + 1);
  vt_expect_fails ("big.vmx", "vmx: big.vmx: the file is 4194305 bytes, "
                   "more than the 4194304 byte limit", NULL);
  return 0;
}
