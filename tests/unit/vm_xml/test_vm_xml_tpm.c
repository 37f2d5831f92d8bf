/* A source TPM becomes an emulated TPM 2.0: CRB on q35, TIS on i440fx. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vm.tpm = true;
  vm.firmware = VM_FIRMWARE_UEFI;
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_COUNT (doc, 1, "/domain/devices/tpm");
  EXPECT_STRING (doc, "tpm-crb", "/domain/devices/tpm/@model");
  EXPECT_COUNT (doc, 1,
                "/domain/devices/tpm/backend[@type='emulator'][@version='2.0']");

  o.machine = "pc";
  doc = vmxt_generate (&vm, &o);
  EXPECT_STRING (doc, "tpm-tis", "/domain/devices/tpm/@model");
  EXPECT_COUNT (doc, 1,
                "/domain/devices/tpm/backend[@type='emulator'][@version='2.0']");

  vm.tpm = false;
  doc = vmxt_generate (&vm, &o);
  EXPECT_COUNT (doc, 0, "/domain/devices/tpm");

  vm_free (&vm);
  return vmxt_finish ();
}
