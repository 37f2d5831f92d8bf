/* fuzz_vhd.c: libFuzzer harness for the vhd driver: headers, tables and
 * everything reachable by reading the image. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return fuzz_image (data, size, "vhd");
}
