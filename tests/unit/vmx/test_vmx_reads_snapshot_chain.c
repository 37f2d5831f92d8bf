/* A VM with two snapshots: the disk runs on the newest delta (made by
 * qemu-img on the ESXi base disk), whose capacity is read through the
 * chain; the .vmsd lists both snapshots and the current one. */
#include <limits.h>

#include "vmxtest.h"

static const char body[] =
  "scsi0.virtualDev = \"pvscsi\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0:0.deviceType = \"scsi-hardDisk\"\n"
  "scsi0:0.fileName = \"web01-000002.vmdk\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "displayName = \"web01\"\n"
  "guestOS = \"rhel8-64\"\n";

static const char vmsd[] =
  ".encoding = \"UTF-8\"\n"
  "snapshot.lastUID = \"2\"\n"
  "snapshot.current = \"2\"\n"
  "snapshot0.uid = \"1\"\n"
  "snapshot0.filename = \"web01-Snapshot1.vmsn\"\n"
  "snapshot0.displayName = \"Before upgrade\"\n"
  "snapshot0.description = \"kernel 4.18\"\n"
  "snapshot0.createTimeHigh = \"375831\"\n"
  "snapshot0.createTimeLow = \"-1130862591\"\n"
  "snapshot0.numDisks = \"1\"\n"
  "snapshot0.disk0.fileName = \"web01.vmdk\"\n"
  "snapshot0.disk0.node = \"scsi0:0\"\n"
  "snapshot1.uid = \"2\"\n"
  "snapshot1.filename = \"web01-Snapshot2.vmsn\"\n"
  "snapshot1.parent = \"1\"\n"
  "snapshot1.displayName = \"After upgrade\"\n"
  "snapshot1.type = \"1\"\n"
  "snapshot1.createTimeHigh = \"375832\"\n"
  "snapshot1.createTimeLow = \"1040216413\"\n"
  "snapshot1.numDisks = \"1\"\n"
  "snapshot1.disk0.fileName = \"web01-000001.vmdk\"\n"
  "snapshot1.disk0.node = \"scsi0:0\"\n"
  "snapshot.numSnapshots = \"2\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;
  char dir[PATH_MAX];

  test_init (true);
  CHECK (realpath (test_dir (), dir) != NULL);
  vt_write_esxi_vmx ("web01.vmx", 19, body);
  vt_write_vmfs_disk ("web01", 64);
  test_run ("qemu-img create -q -f vmdk -b web01.vmdk -F vmdk "
            "web01-000001.vmdk");
  test_run ("qemu-img create -q -f vmdk -b web01-000001.vmdk -F vmdk "
            "web01-000002.vmdk");
  test_write_text ("web01.vmsd", vmsd);
  vt_read ("web01.vmx", &vm);

  CHECK (vm.disks.len == 1);
  CHECK_STREQ (vm.disks.ptr[0].path, test_printf ("%s/web01-000002.vmdk",
                                                dir));
  CHECK (vm.disks.ptr[0].capacity == 64 * MiB);
  CHECK (vm.os_family == VM_OS_LINUX);

  CHECK (vm.snapshots.len == 2);
  CHECK_STREQ (vm.snapshots.ptr[0].uid, "1");
  CHECK_STREQ (vm.snapshots.ptr[0].name, "Before upgrade");
  CHECK_STREQ (vm.snapshots.ptr[1].uid, "2");
  CHECK_STREQ (vm.snapshots.ptr[1].name, "After upgrade");
  CHECK_STREQ (vm.current_snapshot, "2");
  vm_free (&vm);
  return 0;
}
