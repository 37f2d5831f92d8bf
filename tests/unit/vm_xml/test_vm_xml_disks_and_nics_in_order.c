/* Several disks and NICs keep the source's order: vda, vdb, vdc get the
 * images of disks 0, 1, 2; NICs appear as the source listed them. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vmxt_add_disk (&vm, VM_BUS_SCSI, 0, 1);
  vmxt_add_disk (&vm, VM_BUS_SATA, 0, 0);
  vmxt_add_nic (&vm, "00:50:56:aa:bb:02", "DMZ", true);
  vmxt_add_nic (&vm, "00:50:56:aa:bb:03", "VM Network", true);
  struct vm_xml_options o = vmxt_options (&vm);
  struct vm_xml_disk disks[3] = {
    { "/images/boot.qcow2", "qcow2" },
    { "/images/data.raw", "raw" },
    { "/images/logs.qcow2", "qcow2" },
  };
  o.disks = disks;
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_COUNT (doc, 3, "/domain/devices/disk");
  EXPECT_STRING (doc, "vda", "/domain/devices/disk[1]/target/@dev");
  EXPECT_STRING (doc, "/images/boot.qcow2", "/domain/devices/disk[1]/source/@file");
  EXPECT_STRING (doc, "qcow2", "/domain/devices/disk[1]/driver/@type");
  EXPECT_STRING (doc, "vdb", "/domain/devices/disk[2]/target/@dev");
  EXPECT_STRING (doc, "/images/data.raw", "/domain/devices/disk[2]/source/@file");
  EXPECT_STRING (doc, "raw", "/domain/devices/disk[2]/driver/@type");
  EXPECT_STRING (doc, "vdc", "/domain/devices/disk[3]/target/@dev");
  EXPECT_STRING (doc, "/images/logs.qcow2", "/domain/devices/disk[3]/source/@file");
  EXPECT_COUNT (doc, 3, "/domain/devices/disk/target[@bus='virtio']");

  EXPECT_COUNT (doc, 3, "/domain/devices/interface");
  EXPECT_STRING (doc, VMXT_MAC, "/domain/devices/interface[1]/mac/@address");
  EXPECT_STRING (doc, "default", "/domain/devices/interface[1]/source/@network");
  EXPECT_STRING (doc, "00:50:56:aa:bb:02", "/domain/devices/interface[2]/mac/@address");
  EXPECT_STRING (doc, "dmz", "/domain/devices/interface[2]/source/@network");
  EXPECT_STRING (doc, "00:50:56:aa:bb:03", "/domain/devices/interface[3]/mac/@address");
  EXPECT_STRING (doc, "default", "/domain/devices/interface[3]/source/@network");

  vm_free (&vm);
  return vmxt_finish ();
}
