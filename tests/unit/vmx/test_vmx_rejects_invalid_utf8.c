/* Values must be UTF-8; a file declaring another encoding is read only
 * when it is plain ASCII. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  test_write_text ("x.vmx", ".encoding = \"UTF-8\"\n"
                   "displayName = \"caf\xe9\"\n");
  vt_expect_fails ("x.vmx", "vmx: x.vmx: line 2: displayName: the value is "
                   "not valid UTF-8", NULL);
  /* An overlong '/' and a surrogate. */
  vt_parse_fails ("a = \"\xc0\xaf\"\n", 9, "not valid UTF-8");
  vt_parse_fails ("a = \"\xed\xa0\x80\"\n", 10, "not valid UTF-8");
  /* Escaped bytes are checked too. */
  vt_parse_fails ("a = \"|FF\"\n", 10, "not valid UTF-8");

  test_write_text ("x.vmx", ".encoding = \"windows-1252\"\n"
                   "displayName = \"caf\xe9\"\n");
  vt_expect_fails ("x.vmx", "line 2: displayName: non-ASCII value in a file "
                   "encoded as \"windows-1252\"", NULL);
  test_write_text ("x.vmx", ".encoding = \"windows-1252\"\n"
                   "displayName = \"cafe\"\n");
  vt_read ("x.vmx", &vm);
  CHECK_STREQ (vm.name, "cafe");
  vm_free (&vm);
  return 0;
}
