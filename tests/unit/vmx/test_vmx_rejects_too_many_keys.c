/* More than VMX_KEYS_MAX keys is an error; exactly that many is fine. */
#include "vmxtest.h"

static char *
make (size_t keys, size_t *len)
{
  char *text = malloc (keys * 16 + 1);
  size_t n = 0;

  CHECK (text != NULL);
  for (size_t i = 0; i < keys; i++)
    n += sprintf (text + n, "k%zu = \"1\"\n", i);
  *len = n;
  return text;
}

int
main (void)
{
  struct vmx_file *f;
  size_t len;
  char *text;

  test_init (false);
  text = make (VMX_KEYS_MAX, &len);
  CHECK (vmx_file_parse (text, len, "max.vmx", &f) == 0);
  CHECK (vmx_file_count (f) == VMX_KEYS_MAX);
  CHECK_STREQ (vmx_file_get (f, "k99999"), "1");
  vmx_file_free (f);
  free (text);

  text = make (VMX_KEYS_MAX + 1, &len);
  test_write_file ("many.vmx", text, len);
  vt_expect_fails ("many.vmx", "vmx: many.vmx: line 100001: more than "
                   "100000 keys", NULL);
  free (text);
  return 0;
}
