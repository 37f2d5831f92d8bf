/* memSize must be a positive number of MiB. */
#include "vmxtest.h"

int
main (void)
{
  static const char *const bad[] = { "abc", "-1024", "0", "1e9",
                                     "99999999999999999999999" };

  test_init (false);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *text = test_printf ("memSize = \"%s\"\n", bad[i]);
    test_write_text ("m.vmx", text);
    vt_expect_fails ("m.vmx", "vmx: m.vmx: line 1: memSize = ",
                     "is not a memory size in MiB", NULL);
  }
  return 0;
}
