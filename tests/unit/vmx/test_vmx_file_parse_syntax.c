/* The key/value syntax: comments, blank lines, CRLF, spacing around '=',
 * unquoted values, a comment after the value, empty values; entries come
 * back in key order with their line numbers; absent keys are NULL. */
#include "vmxtest.h"

int
main (void)
{
  static const char text[] =
    "# comment\r\n"
    "\r\n"
    "  .encoding = \"UTF-8\"\r\n"
    "b=\"2\"\n"
    "\tA   =   \"1\"   # trailing comment\n"
    "c = unquoted value # note\n"
    "d = \"\"\n"
    "e = \"has # inside\"\n"
    "f =\n"
    "last = \"no newline\"";
  struct vmx_file *f;
  const struct vmx_entry *e;

  test_init (false);
  CHECK (vmx_file_parse (text, strlen (text), "syntax.vmx", &f) == 0);
  CHECK (vmx_file_count (f) == 8);
  CHECK_STREQ (vmx_file_entry (f, 0)->key, ".encoding");
  CHECK_STREQ (vmx_file_entry (f, 1)->key, "A");
  CHECK_STREQ (vmx_file_entry (f, 2)->key, "b");
  CHECK (vmx_file_entry (f, 8) == NULL);
  CHECK_STREQ (vmx_file_get (f, "a"), "1");
  CHECK_STREQ (vmx_file_get (f, "B"), "2");
  CHECK_STREQ (vmx_file_get (f, "c"), "unquoted value");
  CHECK_STREQ (vmx_file_get (f, "d"), "");
  CHECK_STREQ (vmx_file_get (f, "e"), "has # inside");
  CHECK_STREQ (vmx_file_get (f, "f"), "");
  CHECK_STREQ (vmx_file_get (f, "last"), "no newline");
  CHECK (vmx_file_get (f, "missing") == NULL);
  CHECK (vmx_file_get (f, "") == NULL);
  e = vmx_file_find (f, "A");
  CHECK (e != NULL && e->line == 5);
  e = vmx_file_find (f, ".ENCODING");
  CHECK (e != NULL && e->line == 3);
  vmx_file_free (f);

  /* Empty input is an empty file. */
  CHECK (vmx_file_parse ("", 0, "empty.vmx", &f) == 0);
  CHECK (vmx_file_count (f) == 0 && vmx_file_get (f, "a") == NULL);
  vmx_file_free (f);
  vmx_file_free (NULL);
  return 0;
}
