/* Disk modes: persistent (written or not), independent-persistent,
 * independent-nonpersistent (and the legacy "nonpersistent"). */
#include "vmxtest.h"

static const char body[] =
  "scsi0.virtualDev = \"pvscsi\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0:0.fileName = \"d0.vmdk\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "scsi0:1.fileName = \"d1.vmdk\"\n"
  "scsi0:1.mode = \"persistent\"\n"
  "scsi0:1.present = \"TRUE\"\n"
  "scsi0:2.fileName = \"d2.vmdk\"\n"
  "scsi0:2.mode = \"independent-persistent\"\n"
  "scsi0:2.present = \"TRUE\"\n"
  "scsi0:3.fileName = \"d3.vmdk\"\n"
  "scsi0:3.mode = \"independent-nonpersistent\"\n"
  "scsi0:3.present = \"TRUE\"\n"
  "scsi0:4.fileName = \"d4.vmdk\"\n"
  "scsi0:4.mode = \"nonpersistent\"\n"
  "scsi0:4.present = \"TRUE\"\n";

int
main (void)
{
  static const enum vm_disk_mode want[] = {
    VM_DISK_PERSISTENT, VM_DISK_PERSISTENT, VM_DISK_INDEPENDENT_PERSISTENT,
    VM_DISK_INDEPENDENT_NONPERSISTENT, VM_DISK_INDEPENDENT_NONPERSISTENT,
  };
  struct vm vm = VM_INIT;

  test_init (false);
  vt_write_esxi_vmx ("m.vmx", 19, body);
  for (int i = 0; i < 5; i++)
    vt_write_vmfs_disk (test_printf ("d%d", i), 1);
  vt_read ("m.vmx", &vm);
  CHECK (vm.disks.len == 5);
  for (size_t i = 0; i < 5; i++) {
    CHECK (vm.disks.ptr[i].unit == i);
    CHECK (vm.disks.ptr[i].mode == want[i]);
    CHECK (vm.disks.ptr[i].capacity == MiB);
  }
  vm_free (&vm);
  return 0;
}
