/* A snapshot delta whose parent is gone, a descriptor that does not parse
 * and a file that is not a VMDK at all: each disk is listed with capacity
 * 0, and reading the VM still succeeds. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (true);
  vt_write_esxi_vmx ("web01.vmx", 19,
                     "scsi0.present = \"TRUE\"\n"
                     "scsi0:0.fileName = \"web01-000001.vmdk\"\n"
                     "scsi0:0.present = \"TRUE\"\n"
                     "scsi0:1.fileName = \"bad.vmdk\"\n"
                     "scsi0:1.present = \"TRUE\"\n"
                     "scsi0:2.fileName = \"notes.vmdk\"\n"
                     "scsi0:2.present = \"TRUE\"\n");
  vt_write_vmfs_disk ("web01", 8);
  test_run ("qemu-img create -q -f vmdk -b web01.vmdk -F vmdk "
            "web01-000001.vmdk");
  test_run ("rm web01.vmdk");
  test_write_text ("bad.vmdk", "# Disk DescriptorFile\nversion=1\n"
                   "createType=\"vmfs\"\nRW 12x VMFS \"bad-flat.vmdk\"\n");
  test_write_text ("notes.vmdk", "this is not a disk\n");
  vt_read ("web01.vmx", &vm);
  CHECK (vm.disks.len == 3);
  for (size_t i = 0; i < 3; i++)
    CHECK (vm.disks.ptr[i].capacity == 0);
  vm_free (&vm);
  return 0;
}
