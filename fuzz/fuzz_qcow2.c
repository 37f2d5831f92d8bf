/* fuzz_qcow2.c: libFuzzer harness for the qcow2 header, L1/L2 tables,
 * extended L2 entries and compressed clusters. */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return fuzz_image (data, size, "qcow2");
}
