/* Values are unescaped: |22 is '"', |7C is '|', any |XX is that byte
 * (either case of hex digits); UTF-8 passes through. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  test_write_text ("esc.vmx",
                   ".encoding = \"UTF-8\"\n"
                   "displayName = \"web |22prod|22 |7c eu|2d1\"\n"
                   "annotation = \"line one|0Aline two\"\n"
                   "ethernet0.present = \"TRUE\"\n"
                   "ethernet0.virtualDev = \"vmxnet3\"\n"
                   "ethernet0.networkName = \"R\xc3\xa9seau |7C 10\"\n");
  vt_read ("esc.vmx", &vm);
  CHECK_STREQ (vm.name, "web \"prod\" | eu-1");
  CHECK_STREQ (vm.nics.ptr[0].network, "R\xc3\xa9seau | 10");
  vm_free (&vm);

  {
    static const char text[] = "annotation = \"a|0Ab|7C\"\n";
    struct vmx_file *f;

    CHECK (vmx_file_parse (text, strlen (text), "t.vmx", &f) == 0);
    CHECK_STREQ (vmx_file_get (f, "annotation"), "a\nb|");
    vmx_file_free (f);
  }
  return 0;
}
