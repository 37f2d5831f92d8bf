/* UEFI with secure boot: the SMM-requiring OVMF build with secure='yes',
 * the variable store with Microsoft's keys enrolled, and SMM switched on. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vm.firmware = VM_FIRMWARE_UEFI;
  vm.secure_boot = true;
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_STRING (doc, "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd",
                 "/domain/os/loader");
  EXPECT_STRING (doc, "yes", "/domain/os/loader/@secure");
  EXPECT_STRING (doc, "yes", "/domain/os/loader/@readonly");
  EXPECT_STRING (doc, "pflash", "/domain/os/loader/@type");
  EXPECT_STRING (doc, "/usr/share/OVMF/OVMF_VARS_4M.ms.fd",
                 "/domain/os/nvram/@template");
  EXPECT_COUNT (doc, 1, "/domain/features/smm[@state='on']");
  EXPECT_STRING (doc, "q35", "/domain/os/type/@machine");

  /* Secure boot on a BIOS VM means nothing: ignored, not an error. */
  vm.firmware = VM_FIRMWARE_BIOS;
  doc = vmxt_generate (&vm, &o);
  EXPECT_COUNT (doc, 0, "/domain/os/loader");
  EXPECT_COUNT (doc, 0, "/domain/features/smm");

  /* OVMF's SMM build needs q35. */
  vm.firmware = VM_FIRMWARE_UEFI;
  o.machine = "pc";
  vmxt_expect_fails (&vm, &o, "secure boot needs SMM");

  vm_free (&vm);
  return vmxt_finish ();
}
