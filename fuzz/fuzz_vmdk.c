/* fuzz_vmdk.c: libFuzzer harness for VMDK sparse extents: the sparse
 * header, embedded descriptor, grain directory and tables, and
 * streamOptimized markers and footer. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return fuzz_image (data, size, "vmdk");
}
