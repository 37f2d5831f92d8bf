/* CD-ROMs: read-only SATA drives on q35 (it has no IDE), with the ISO when
 * one is set and an empty tray otherwise; the caller may point them at
 * ISOs on the KVM host. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vmxt_add_cdrom (&vm, "/isos/ubuntu-22.04.iso");
  vmxt_add_cdrom (&vm, NULL);
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_COUNT (doc, 2, "/domain/devices/disk[@device='cdrom']");
  EXPECT_COUNT (doc, 2, "/domain/devices/disk[@device='cdrom'][@type='file']/readonly");
  EXPECT_STRING (doc, "/isos/ubuntu-22.04.iso",
                 "/domain/devices/disk[@device='cdrom'][1]/source/@file");
  EXPECT_STRING (doc, "raw", "/domain/devices/disk[@device='cdrom'][1]/driver/@type");
  EXPECT_STRING (doc, "sata", "/domain/devices/disk[@device='cdrom'][1]/target/@bus");
  EXPECT_STRING (doc, "sda", "/domain/devices/disk[@device='cdrom'][1]/target/@dev");
  EXPECT_COUNT (doc, 0, "/domain/devices/disk[@device='cdrom'][2]/source");
  EXPECT_STRING (doc, "sdb", "/domain/devices/disk[@device='cdrom'][2]/target/@dev");
  /* The hard disk still boots: it stays vda, first. */
  EXPECT_STRING (doc, "disk", "/domain/devices/disk[1]/@device");
  EXPECT_STRING (doc, "vda", "/domain/devices/disk[1]/target/@dev");

  /* Caller's host-side ISOs replace the source's paths. */
  const char *isos[] = { NULL, "/var/lib/libvirt/images/virtio-win.iso" };
  o.cdroms = isos;
  doc = vmxt_generate (&vm, &o);
  EXPECT_COUNT (doc, 0, "/domain/devices/disk[@device='cdrom'][1]/source");
  EXPECT_STRING (doc, "/var/lib/libvirt/images/virtio-win.iso",
                 "/domain/devices/disk[@device='cdrom'][2]/source/@file");

  /* A datastore path cannot be used on the KVM host. */
  o.cdroms = NULL;
  free (vm.cdroms.ptr[0].path);
  vm.cdroms.ptr[0].path = vmxt_strdup ("[datastore1] iso/ubuntu.iso");
  vmxt_expect_fails (&vm, &o, "the ISO of CD-ROM 0 (sata0:0) "
                     "'[datastore1] iso/ubuntu.iso' is not an absolute path");

  vm_free (&vm);
  return vmxt_finish ();
}
