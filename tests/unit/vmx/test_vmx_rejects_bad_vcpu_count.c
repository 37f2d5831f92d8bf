/* numvcpus and cpuid.coresPerSocket must be numbers from 1 to 4096:
 * negative, zero, overflowing or non-numeric values are errors naming the
 * line. */
#include "vmxtest.h"

int
main (void)
{
  static const char *const bad[] = {
    "-1", "0", "99999999999", "184467440737095516160", "4x", "", " 4",
    "4097", "0x4",
  };

  test_init (false);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *text = test_printf ("displayName = \"c\"\nnumvcpus = \"%s\"\n",
                            bad[i]);
    test_write_text ("c.vmx", text);
    vt_expect_fails ("c.vmx", "vmx: c.vmx: line 2: numvcpus = ",
                     "is not a number of virtual CPUs", NULL);
  }
  test_write_text ("c.vmx", "cpuid.coresPerSocket = \"-2\"\n");
  vt_expect_fails ("c.vmx", "line 1: cpuid.coresPerSocket = \"-2\"", NULL);
  return 0;
}
