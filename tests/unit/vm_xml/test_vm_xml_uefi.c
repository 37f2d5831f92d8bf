/* UEFI without secure boot: Debian's plain 4 MiB OVMF build read-only as
 * pflash, its empty variable store as the NVRAM template, no SMM. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vm.firmware = VM_FIRMWARE_UEFI;
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_COUNT (doc, 1, "/domain/os/loader");
  EXPECT_STRING (doc, "/usr/share/OVMF/OVMF_CODE_4M.fd", "/domain/os/loader");
  EXPECT_STRING (doc, "yes", "/domain/os/loader/@readonly");
  EXPECT_STRING (doc, "pflash", "/domain/os/loader/@type");
  EXPECT_COUNT (doc, 0, "/domain/os/loader/@secure");
  EXPECT_COUNT (doc, 1, "/domain/os/nvram");
  EXPECT_STRING (doc, "/usr/share/OVMF/OVMF_VARS_4M.fd",
                 "/domain/os/nvram/@template");
  EXPECT_STRING (doc, "", "/domain/os/nvram");
  EXPECT_COUNT (doc, 0, "/domain/features/smm");
  EXPECT_STRING (doc, "q35", "/domain/os/type/@machine");
  EXPECT_COUNT (doc, 1, "/domain/os/boot[@dev='hd']");

  /* Caller-given firmware files win. */
  o.ovmf_code = "/opt/fw/CODE.fd";
  o.ovmf_vars = "/opt/fw/VARS.fd";
  doc = vmxt_generate (&vm, &o);
  EXPECT_STRING (doc, "/opt/fw/CODE.fd", "/domain/os/loader");
  EXPECT_STRING (doc, "/opt/fw/VARS.fd", "/domain/os/nvram/@template");

  vm_free (&vm);
  return vmxt_finish ();
}
