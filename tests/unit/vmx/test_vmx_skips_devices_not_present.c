/* Devices whose .present is FALSE, or not written at all (VMware's
 * default), are not part of the VM. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  vt_write_esxi_vmx ("skip.vmx", 19,
                     "scsi0.present = \"TRUE\"\n"
                     "scsi0.virtualDev = \"lsilogic\"\n"
                     "scsi0:0.fileName = \"skip.vmdk\"\n"
                     "scsi0:0.present = \"TRUE\"\n"
                     "scsi0:1.fileName = \"removed.vmdk\"\n"
                     "scsi0:1.present = \"FALSE\"\n"
                     "scsi0:2.fileName = \"never.vmdk\"\n"
                     "sata0.present = \"TRUE\"\n"
                     "sata0:0.deviceType = \"cdrom-image\"\n"
                     "sata0:0.fileName = \"x.iso\"\n"
                     "sata0:0.present = \"FALSE\"\n"
                     "ethernet0.present = \"FALSE\"\n"
                     "ethernet0.virtualDev = \"e1000\"\n"
                     "ethernet1.virtualDev = \"vmxnet3\"\n"
                     "serial0.present = \"FALSE\"\n"
                     "serial0.fileType = \"pipe\"\n"
                     "pciPassthru0.present = \"FALSE\"\n"
                     "pciPassthru0.id = \"00000:059:00.0\"\n"
                     "usb.present = \"FALSE\"\n"
                     "vtpm.present = \"FALSE\"\n");
  vt_write_vmfs_disk ("skip", 1);
  vt_read ("skip.vmx", &vm);
  CHECK (vm.disks.len == 1);
  CHECK (vm.disks.ptr[0].unit == 0);
  CHECK (vm.cdroms.len == 0);
  CHECK (vm.nics.len == 0);
  CHECK (vm.serials.len == 0);
  CHECK (vm.passthrough.len == 0);
  CHECK (!vm.usb && !vm.tpm);
  vm_free (&vm);
  return 0;
}
