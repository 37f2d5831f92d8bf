/* A quoted value without its closing quote is an error naming the line
 * and the key. */
#include "vmxtest.h"

int
main (void)
{
  static const char text[] = "displayName = \"ok\"\nguestOS = \"ubuntu-64\n";

  test_init (false);
  test_write_text ("q.vmx", ".encoding = \"UTF-8\"\n"
                   "config.version = \"8\"\n"
                   "displayName = \"web01\n"
                   "memSize = \"1024\"\n");
  vt_expect_fails ("q.vmx", "vmx: q.vmx: line 3: displayName: "
                   "unterminated quoted value", NULL);
  vt_parse_fails (text, strlen (text), "line 2: guestOS: unterminated");
  /* A stray quote after the value. */
  vt_parse_fails ("a = \"b\"c\"\n", 10, "line 1: a: text after the closing "
                  "quote");
  return 0;
}
