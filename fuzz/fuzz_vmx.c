/* fuzz_vmx.c: libFuzzer harness for the .vmx / .vmsd key/value parser
 * (vmx_file_parse), with a few lookups on what it returns. */
#include <stdint.h>
#include <string.h>

#include "source/vmx.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct vmx_file *f;
  size_t n;

  if (vmx_file_parse ((const char *) data, size, "fuzz.vmx", &f) == -1)
    return 0;
  n = vmx_file_count (f);
  for (size_t i = 0; i < n; i++) {
    const struct vmx_entry *e = vmx_file_entry (f, i);
    /* Every key finds itself, and the value is a C string. */
    if (vmx_file_find (f, e->key) != e)
      __builtin_trap ();
    (void) strlen (e->value);
  }
  (void) vmx_file_get (f, "scsi0:0.fileName");
  (void) vmx_file_get (f, "displayName");
  vmx_file_free (f);
  return 0;
}
