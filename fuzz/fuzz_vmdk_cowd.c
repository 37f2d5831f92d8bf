/* fuzz_vmdk_cowd.c: placeholder until the cowd extent parser lands. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return fuzz_image (data, size, "vmdk");
}
