/* A line longer than VMX_LINE_MAX is refused with its number and length;
 * one of exactly VMX_LINE_MAX bytes is fine. */
#include "vmxtest.h"

int
main (void)
{
  size_t n = VMX_LINE_MAX + 1024;
  char *text = malloc (n + 64);
  struct vmx_file *f;
  size_t len;

  test_init (false);
  CHECK (text != NULL);
  len = sprintf (text, "a = \"1\"\nb = \"2\"\nannotation = \"");
  memset (text + len, 'x', n - len - 2);
  memcpy (text + n - 2, "\"\n", 2);
  test_write_file ("long.vmx", text, n);
  vt_expect_fails ("long.vmx", "vmx: long.vmx: line 3: the line is ",
                   "more than the 65536 byte limit", NULL);

  len = sprintf (text, "annotation = \"");
  memset (text + len, 'y', VMX_LINE_MAX - len - 1);
  memcpy (text + VMX_LINE_MAX - 1, "\"\n", 2);
  CHECK (vmx_file_parse (text, VMX_LINE_MAX + 1, "max.vmx", &f) == 0);
  CHECK (strlen (vmx_file_get (f, "annotation")) == VMX_LINE_MAX - len - 1);
  vmx_file_free (f);
  free (text);
  return 0;
}
