/* A .vmsd that does not parse is an error naming the .vmsd and its line. */
#include "vmxtest.h"

int
main (void)
{
  test_init (false);
  test_write_text ("s.vmx", "displayName = \"s\"\n");
  test_write_text ("s.vmsd", ".encoding = \"UTF-8\"\n"
                   "snapshot0.uid = \"1\n");
  vt_expect_fails ("s.vmx", "vmx: s.vmsd: line 2: snapshot0.uid: "
                   "unterminated quoted value", NULL);
  return 0;
}
