/* Raw device mappings are recognised from their descriptors (VMFSRDM:
 * virtual compatibility, VMFSRAW: physical), without the mapping file and
 * without failing; their capacity is the mapped LUN's size as recorded. */
#include "vmxtest.h"

static const char body[] =
  "scsi0.virtualDev = \"lsilogic\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0:0.fileName = \"db01.vmdk\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "scsi0:1.deviceType = \"scsi-hardDisk\"\n"
  "scsi0:1.fileName = \"db01_1.vmdk\"\n"
  "scsi0:1.mode = \"independent-persistent\"\n"
  "scsi0:1.present = \"TRUE\"\n"
  "scsi0:2.deviceType = \"scsi-hardDisk\"\n"
  "scsi0:2.fileName = \"db01_2.vmdk\"\n"
  "scsi0:2.mode = \"independent-persistent\"\n"
  "scsi0:2.present = \"TRUE\"\n"
  "displayName = \"db01\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  vt_write_esxi_vmx ("db01.vmx", 19, body);
  vt_write_vmfs_disk ("db01", 16);
  vt_write_rdm_disk ("db01_1", "VMFSRDM", 2097152);
  vt_write_rdm_disk ("db01_2", "VMFSRAW", 41943040);
  vt_read ("db01.vmx", &vm);

  CHECK (vm.disks.len == 3);
  CHECK (vm.disks.ptr[0].rdm == VM_RDM_NONE);
  CHECK (vm.disks.ptr[0].capacity == 16 * MiB);
  CHECK (vm.disks.ptr[1].unit == 1);
  CHECK (vm.disks.ptr[1].rdm == VM_RDM_VIRTUAL);
  CHECK (vm.disks.ptr[1].capacity == UINT64_C (2097152) * 512);
  CHECK (vm.disks.ptr[1].mode == VM_DISK_INDEPENDENT_PERSISTENT);
  CHECK (vm.disks.ptr[2].unit == 2);
  CHECK (vm.disks.ptr[2].rdm == VM_RDM_PHYSICAL);
  CHECK (vm.disks.ptr[2].capacity == UINT64_C (41943040) * 512);
  CHECK (strcmp (error_message (), "") == 0);
  vm_free (&vm);
  return 0;
}
