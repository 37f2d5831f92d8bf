/* Guests too old for q35 (no AHCI driver: Windows XP/2003, Linux 2.4) get
 * i440fx ("pc"): CD-ROMs and, in compat mode, disks on IDE, rtl8139 NICs,
 * UHCI for USB. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  free (vm.guest_os);
  vm.guest_os = vmxt_strdup ("winXPPro");
  vm.os_family = VM_OS_WINDOWS;
  vm.usb = true;
  vmxt_add_disk (&vm, VM_BUS_IDE, 0, 1);
  vmxt_add_cdrom (&vm, "/isos/xp.iso");
  struct vm_xml_options o = vmxt_options (&vm);
  o.compat = VM_XML_COMPAT;
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_STRING (doc, "pc", "/domain/os/type/@machine");
  EXPECT_STRING (doc, "hda", "/domain/devices/disk[1]/target/@dev");
  EXPECT_STRING (doc, "ide", "/domain/devices/disk[1]/target/@bus");
  EXPECT_STRING (doc, "hdb", "/domain/devices/disk[2]/target/@dev");
  EXPECT_STRING (doc, "hdc", "/domain/devices/disk[@device='cdrom']/target/@dev");
  EXPECT_STRING (doc, "ide", "/domain/devices/disk[@device='cdrom']/target/@bus");
  EXPECT_STRING (doc, "rtl8139", "/domain/devices/interface/model/@type");
  EXPECT_COUNT (doc, 1, "/domain/devices/controller[@type='usb'][@model='piix3-uhci']");
  EXPECT_COUNT (doc, 1, "/domain/devices/input[@type='tablet'][@bus='usb']");
  EXPECT_STRING (doc, "localtime", "/domain/clock/@offset");

  /* IDE has four places. */
  vmxt_add_disk (&vm, VM_BUS_IDE, 1, 0);
  vmxt_add_disk (&vm, VM_BUS_IDE, 1, 1);
  o = vmxt_options (&vm);
  o.compat = VM_XML_COMPAT;
  vmxt_expect_fails (&vm, &o, "room for 4 IDE devices, but 5 are needed");

  /* VirtIO mode on i440fx: VirtIO disks, the CD-ROM alone on IDE. */
  o.compat = VM_XML_VIRTIO;
  doc = vmxt_generate (&vm, &o);
  EXPECT_STRING (doc, "vdd", "/domain/devices/disk[4]/target/@dev");
  EXPECT_STRING (doc, "hda", "/domain/devices/disk[@device='cdrom']/target/@dev");

  vm_free (&vm);
  return vmxt_finish ();
}
