/* Keys match whatever their case: VMware writes scsi0:0.fileName, hand
 * edits bring SCSI0:0.FILENAME. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  test_write_text ("hand.vmx",
                   ".ENCODING = \"UTF-8\"\n"
                   "DISPLAYNAME = \"hand\"\n"
                   "NumVCPUs = \"8\"\n"
                   "MEMSIZE = \"2048\"\n"
                   "Firmware = \"EFI\"\n"
                   "SCSI0.PRESENT = \"true\"\n"
                   "SCSI0.VIRTUALDEV = \"pvscsi\"\n"
                   "SCSI0:0.PRESENT = \"True\"\n"
                   "SCSI0:0.FILENAME = \"hand.vmdk\"\n"
                   "Ethernet0.Present = \"TRUE\"\n"
                   "ETHERNET0.VIRTUALDEV = \"vmxnet3\"\n");
  vt_write_vmfs_disk ("hand", 2);
  vt_read ("hand.vmx", &vm);
  CHECK_STREQ (vm.name, "hand");
  CHECK (vm.vcpus == 8 && vm.memory_mib == 2048);
  CHECK (vm.firmware == VM_FIRMWARE_UEFI);
  CHECK (vm.disks.len == 1);
  CHECK_STREQ (vm.disks.ptr[0].controller_model, "pvscsi");
  CHECK (vm.disks.ptr[0].capacity == 2 * MiB);
  CHECK (vm.nics.len == 1);
  CHECK_STREQ (vm.nics.ptr[0].model, "vmxnet3");
  vm_free (&vm);
  return 0;
}
