/* Past vdz the targets go on as libvirt names them: vdaa, vdab, ... */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  for (unsigned i = 1; i < 30; i++)
    vmxt_add_disk (&vm, VM_BUS_SCSI, i / 15, i % 15);
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_COUNT (doc, 30, "/domain/devices/disk");
  EXPECT_STRING (doc, "vda", "/domain/devices/disk[1]/target/@dev");
  EXPECT_STRING (doc, "vdz", "/domain/devices/disk[26]/target/@dev");
  EXPECT_STRING (doc, "vdaa", "/domain/devices/disk[27]/target/@dev");
  EXPECT_STRING (doc, "vdad", "/domain/devices/disk[30]/target/@dev");
  EXPECT_STRING (doc, "/var/lib/libvirt/images/web01-disk29.qcow2",
                 "/domain/devices/disk[30]/source/@file");
  /* Every target is different. */
  EXPECT_COUNT (doc, 0, "/domain/devices/disk[target/@dev = "
                "preceding-sibling::disk/target/@dev]");

  vm_free (&vm);
  return vmxt_finish ();
}
