/* fuzz_vmdk_cowd.c: libFuzzer harness for ESX vmfsSparse ("COWD") extents:
 * the COWD header, grain directory and grain tables.  The input is opened
 * as a bare delta extent (the driver reads it as a one-extent layer); its
 * magic is forced so that every input reaches the COWD parser. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint8_t *copy = malloc (size ? size : 1);

  if (copy == NULL)
    abort ();
  memcpy (copy, data, size);
  if (size >= 4)
    memcpy (copy, "COWD", 4);
  fuzz_image (copy, size, "vmdk");
  free (copy);
  return 0;
}
