/* fuzz_vmdk_sesparse.c: placeholder until the sesparse extent parser lands. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return fuzz_image (data, size, "vmdk");
}
