/* fuzz_vmdk_sesparse.c: libFuzzer harness for ESX seSparse extents: the
 * const and volatile headers, grain directory and grain tables (entry
 * types, swizzled grain numbers).  The input is opened as a bare seSparse
 * extent (a one-extent layer); its magic is forced so that every input
 * reaches the seSparse parser. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const uint8_t magic[8] = { 0xbe, 0xba, 0xfe, 0xca, 0, 0, 0, 0 };
  uint8_t *copy = malloc (size ? size : 1);

  if (copy == NULL)
    abort ();
  memcpy (copy, data, size);
  if (size >= sizeof magic)
    memcpy (copy, magic, sizeof magic);
  fuzz_image (copy, size, "vmdk");
  free (copy);
  return 0;
}
