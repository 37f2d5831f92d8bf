/* fuzz_vmdk_descriptor.c: libFuzzer harness for the VMDK text descriptor
 * parser alone. */
#include <stdint.h>

#include "disk/vmdk.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct vmdk_descriptor desc;

  if (vmdk_descriptor_parse ((const char *) data, size, "fuzz", &desc) == 0)
    vmdk_descriptor_free (&desc);
  return 0;
}
