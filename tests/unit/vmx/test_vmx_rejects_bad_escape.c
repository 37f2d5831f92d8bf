/* '|' must be followed by two hex digits; |00 (a NUL) is refused. */
#include "vmxtest.h"

int
main (void)
{
  test_init (false);
  test_write_text ("e.vmx", "displayName = \"a|2\"\n");
  vt_expect_fails ("e.vmx", "vmx: e.vmx: line 1: displayName: '|' in a "
                   "value must be followed by two hex digits", NULL);
  vt_parse_fails ("a = \"x\"\nb = \"|ZZ\"\n", 17, "line 2: b: '|'");
  vt_parse_fails ("b = \"x|\"\n", 9, "line 1: b: '|'");
  vt_parse_fails ("b = \"x|00y\"\n", 12, "line 1: b: the escape |00");
  return 0;
}
