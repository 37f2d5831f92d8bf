/* A MAC address that is not six hex pairs is an error naming the line. */
#include "vmxtest.h"

int
main (void)
{
  static const char *const bad[] = { "00:50:56:aa:bb", "00:50:56:aa:bb:cg",
                                     "00:50:56:aa:bb:cc:dd", "0050.56aa.bbcc",
                                     "" };

  test_init (false);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *text = test_printf ("ethernet0.present = \"TRUE\"\n"
                            "ethernet0.addressType = \"static\"\n"
                            "ethernet0.address = \"%s\"\n", bad[i]);
    test_write_text ("n.vmx", text);
    vt_expect_fails ("n.vmx", "vmx: n.vmx: line 3: ethernet0.address = ",
                     "is not a MAC address", NULL);
  }
  test_write_text ("n.vmx", "ethernet0.present = \"TRUE\"\n"
                   "ethernet0.addressType = \"dhcp\"\n");
  vt_expect_fails ("n.vmx", "line 2: ethernet0.addressType = \"dhcp\" is "
                   "not a MAC address type", NULL);
  return 0;
}
