/* An ESXi 6.7 Windows VM (hardware version 14): LSI Logic SAS controller,
 * e1000e NIC, the host's CD drive on IDE (no image path), CPU affinity as
 * written, no numvcpus line (one vCPU). */
#include "vmxtest.h"

static const char body[] =
  "memSize = \"4096\"\n"
  "scsi0.virtualDev = \"lsisas1068\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0:0.deviceType = \"scsi-hardDisk\"\n"
  "scsi0:0.fileName = \"win2016.vmdk\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "ide1:0.deviceType = \"atapi-cdrom\"\n"
  "ide1:0.fileName = \"CD/DVD drive 0\"\n"
  "ide1:0.clientDevice = \"TRUE\"\n"
  "ide1:0.startConnected = \"FALSE\"\n"
  "ide1:0.present = \"TRUE\"\n"
  "ethernet0.virtualDev = \"e1000e\"\n"
  "ethernet0.networkName = \"Servers\"\n"
  "ethernet0.addressType = \"vpx\"\n"
  "ethernet0.generatedAddress = \"00:50:56:a1:07:3c\"\n"
  "ethernet0.present = \"TRUE\"\n"
  "displayName = \"win2016\"\n"
  "guestOS = \"windows9srv-64\"\n"
  "sched.cpu.affinity = \"0,1\"\n"
  "uuid.bios = \"42 21 7c 9e 30 5b 11 aa-9e 4c 2d 1f 00 8b 6a 7d\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  vt_write_esxi_vmx ("win2016.vmx", 14, body);
  vt_write_vmfs_disk ("win2016", 40);
  vt_read ("win2016.vmx", &vm);

  CHECK_STREQ (vm.name, "win2016");
  CHECK_STREQ (vm.uuid, "42217c9e-305b-11aa-9e4c-2d1f008b6a7d");
  CHECK_STREQ (vm.hardware_version, "vmx-14");
  CHECK_STREQ (vm.guest_os, "windows9srv-64");
  CHECK (vm.os_family == VM_OS_WINDOWS);
  CHECK (vm.firmware == VM_FIRMWARE_BIOS);
  CHECK (vm.vcpus == 1);
  CHECK (vm.cores_per_socket == 0);
  CHECK (vm.memory_mib == 4096);
  CHECK_STREQ (vm.cpu_affinity, "0,1");

  CHECK (vm.disks.len == 1);
  CHECK (vm.disks.ptr[0].bus == VM_BUS_SCSI);
  CHECK_STREQ (vm.disks.ptr[0].controller_model, "lsisas1068");
  CHECK (vm.disks.ptr[0].capacity == 40 * MiB);

  CHECK (vm.cdroms.len == 1);
  CHECK (vm.cdroms.ptr[0].bus == VM_BUS_IDE);
  CHECK (vm.cdroms.ptr[0].controller == 1 && vm.cdroms.ptr[0].unit == 0);
  CHECK (vm.cdroms.ptr[0].path == NULL);

  CHECK (vm.nics.len == 1);
  CHECK_STREQ (vm.nics.ptr[0].model, "e1000e");
  CHECK_STREQ (vm.nics.ptr[0].mac, "00:50:56:a1:07:3c");
  CHECK_STREQ (vm.nics.ptr[0].network, "Servers");
  CHECK (vm.nics.ptr[0].connected);
  vm_free (&vm);
  return 0;
}
