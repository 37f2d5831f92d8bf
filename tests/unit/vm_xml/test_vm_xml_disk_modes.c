/* Disk modes: shared disks are <shareable/> (and must be raw);
 * independent-nonpersistent disks are <transient/> (changes dropped at
 * power off, as on the source); independent-persistent disks are left out
 * of snapshots (snapshot='no'). */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vmxt_add_disk (&vm, VM_BUS_SCSI, 1, 0);
  vmxt_add_disk (&vm, VM_BUS_SCSI, 0, 1);
  vmxt_add_disk (&vm, VM_BUS_SCSI, 0, 2);
  vm.disks.ptr[1].shared = true;
  vm.disks.ptr[1].mode = VM_DISK_INDEPENDENT_PERSISTENT;
  vm.disks.ptr[2].mode = VM_DISK_INDEPENDENT_NONPERSISTENT;
  vm.disks.ptr[3].mode = VM_DISK_INDEPENDENT_PERSISTENT;
  struct vm_xml_options o = vmxt_options (&vm);
  struct vm_xml_disk disks[4] = {
    { "/images/0.qcow2", "qcow2" }, { "/images/1.raw", "raw" },
    { "/images/2.qcow2", "qcow2" }, { "/images/3.qcow2", "qcow2" },
  };
  o.disks = disks;
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_COUNT (doc, 1, "/domain/devices/disk/shareable");
  EXPECT_COUNT (doc, 1, "/domain/devices/disk[2]/shareable");
  EXPECT_STRING (doc, "none", "/domain/devices/disk[2]/driver/@cache");
  EXPECT_COUNT (doc, 1, "/domain/devices/disk/transient");
  EXPECT_COUNT (doc, 1, "/domain/devices/disk[3]/transient");
  EXPECT_COUNT (doc, 2, "/domain/devices/disk[@snapshot='no']");
  EXPECT_STRING (doc, "no", "/domain/devices/disk[2]/@snapshot");
  EXPECT_STRING (doc, "no", "/domain/devices/disk[4]/@snapshot");
  EXPECT_COUNT (doc, 0, "/domain/devices/disk[1]/@snapshot");

  /* qcow2 cannot be shared by several writers. */
  disks[1].format = "qcow2";
  vmxt_expect_fails (&vm, &o, "disk 1 (scsi1:0) is shared between VMs, so "
                     "its image must be raw");

  /* Other formats and relative paths are refused. */
  disks[1].format = "vmdk";
  vmxt_expect_fails (&vm, &o, "disk 1 (scsi1:0): image format 'vmdk' is not "
                     "supported");
  disks[1] = (struct vm_xml_disk) { "images/1.raw", "raw" };
  vmxt_expect_fails (&vm, &o, "the image of disk 1 (scsi1:0) 'images/1.raw' "
                     "is not an absolute path");

  vm_free (&vm);
  return vmxt_finish ();
}
