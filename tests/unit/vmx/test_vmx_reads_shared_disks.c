/* Shared disks: a multi-writer disk, and every disk on a controller with
 * a shared bus (virtual or physical); sharing = "none" is not shared. */
#include "vmxtest.h"

static const char body[] =
  "scsi0.virtualDev = \"pvscsi\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0.sharedBus = \"none\"\n"
  "scsi1.virtualDev = \"lsilogic\"\n"
  "scsi1.present = \"TRUE\"\n"
  "scsi1.sharedBus = \"physical\"\n"
  "scsi0:0.fileName = \"node1.vmdk\"\n"
  "scsi0:0.sharing = \"none\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "scsi0:1.fileName = \"oracle-asm.vmdk\"\n"
  "scsi0:1.sharing = \"multi-writer\"\n"
  "scsi0:1.mode = \"independent-persistent\"\n"
  "scsi0:1.present = \"TRUE\"\n"
  "scsi1:0.fileName = \"quorum.vmdk\"\n"
  "scsi1:0.present = \"TRUE\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  vt_write_esxi_vmx ("node1.vmx", 19, body);
  vt_write_vmfs_disk ("node1", 4);
  vt_write_vmfs_disk ("oracle-asm", 4);
  vt_write_vmfs_disk ("quorum", 1);
  vt_read ("node1.vmx", &vm);
  CHECK (vm.disks.len == 3);
  CHECK (!vm.disks.ptr[0].shared);
  CHECK (vm.disks.ptr[1].shared);
  CHECK (vm.disks.ptr[1].mode == VM_DISK_INDEPENDENT_PERSISTENT);
  CHECK (vm.disks.ptr[2].controller == 1 && vm.disks.ptr[2].shared);
  CHECK_STREQ (vm.disks.ptr[2].controller_model, "lsilogic");
  vm_free (&vm);
  return 0;
}
