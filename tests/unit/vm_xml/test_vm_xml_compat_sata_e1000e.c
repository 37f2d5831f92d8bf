/* Compat mode, for guests without VirtIO drivers: SATA disks (sda, sdb),
 * e1000e NICs, VGA, and none of the VirtIO-only devices (balloon, RNG,
 * agent channel). */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vmxt_add_disk (&vm, VM_BUS_SCSI, 0, 1);
  vmxt_add_cdrom (&vm, NULL);
  struct vm_xml_options o = vmxt_options (&vm);
  o.compat = VM_XML_COMPAT;
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_STRING (doc, "q35", "/domain/os/type/@machine");
  EXPECT_COUNT (doc, 2, "/domain/devices/disk[@device='disk']");
  EXPECT_COUNT (doc, 0, "/domain/devices/disk/target[@bus='virtio']");
  EXPECT_STRING (doc, "sda", "/domain/devices/disk[1]/target/@dev");
  EXPECT_STRING (doc, "sata", "/domain/devices/disk[1]/target/@bus");
  EXPECT_STRING (doc, "sdb", "/domain/devices/disk[2]/target/@dev");
  EXPECT_STRING (doc, "sata", "/domain/devices/disk[2]/target/@bus");
  /* The CD-ROM shares the SATA namespace, after the disks. */
  EXPECT_STRING (doc, "sdc", "/domain/devices/disk[@device='cdrom']/target/@dev");
  EXPECT_STRING (doc, "e1000e", "/domain/devices/interface/model/@type");
  EXPECT_COUNT (doc, 1, "/domain/devices/video/model[@type='vga']");
  EXPECT_COUNT (doc, 1, "/domain/devices/memballoon[@model='none']");
  EXPECT_COUNT (doc, 0, "/domain/devices/rng");
  EXPECT_COUNT (doc, 0, "/domain/devices/channel");
  EXPECT_COUNT (doc, 0, "//*[@model='virtio' or @type='virtio' or @bus='virtio']");

  vm_free (&vm);
  return vmxt_finish ();
}
