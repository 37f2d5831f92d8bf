/* An ESXi 7 VM (hardware version 19) with four controllers (LSI Logic,
 * PVSCSI, SATA, NVMe), a disk on each, an ISO on SATA, three NICs
 * (generated, static and vCenter-assigned MACs, one disconnected) and two
 * serial ports is read field by field; without a .vmsd it has no
 * snapshots. */
#include <limits.h>

#include "vmxtest.h"

static const char body[] =
  "numvcpus = \"4\"\n"
  "cpuid.coresPerSocket = \"2\"\n"
  "memSize = \"8192\"\n"
  "scsi0.virtualDev = \"lsilogic\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi1.virtualDev = \"pvscsi\"\n"
  "scsi1.present = \"TRUE\"\n"
  "sata0.present = \"TRUE\"\n"
  "nvme0.present = \"TRUE\"\n"
  "scsi0:0.deviceType = \"scsi-hardDisk\"\n"
  "scsi0:0.fileName = \"web01.vmdk\"\n"
  "sched.scsi0:0.shares = \"normal\"\n"
  "sched.scsi0:0.throughputCap = \"off\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "scsi1:0.deviceType = \"scsi-hardDisk\"\n"
  "scsi1:0.fileName = \"web01_1.vmdk\"\n"
  "sched.scsi1:0.shares = \"normal\"\n"
  "scsi1:0.present = \"TRUE\"\n"
  "sata0:1.fileName = \"web01_2.vmdk\"\n"
  "sata0:1.present = \"TRUE\"\n"
  "nvme0:0.fileName = \"web01_3.vmdk\"\n"
  "nvme0:0.present = \"TRUE\"\n"
  "sata0:0.deviceType = \"cdrom-image\"\n"
  "sata0:0.fileName = \"/vmfs/volumes/datastore1/iso/"
  "ubuntu-20.04.2-live-server-amd64.iso\"\n"
  "sata0:0.present = \"TRUE\"\n"
  "ethernet0.virtualDev = \"vmxnet3\"\n"
  "ethernet0.networkName = \"VM Network\"\n"
  "ethernet0.addressType = \"generated\"\n"
  "ethernet0.wakeOnPcktRcv = \"FALSE\"\n"
  "ethernet0.uptCompatibility = \"TRUE\"\n"
  "ethernet0.present = \"TRUE\"\n"
  "ethernet1.virtualDev = \"e1000e\"\n"
  "ethernet1.networkName = \"Backup\"\n"
  "ethernet1.addressType = \"static\"\n"
  "ethernet1.address = \"00:50:56:3F:12:AB\"\n"
  "ethernet1.present = \"TRUE\"\n"
  "ethernet2.virtualDev = \"vmxnet3\"\n"
  "ethernet2.networkName = \"DMZ\"\n"
  "ethernet2.addressType = \"vpx\"\n"
  "ethernet2.startConnected = \"FALSE\"\n"
  "ethernet2.present = \"TRUE\"\n"
  "serial0.fileType = \"network\"\n"
  "serial0.fileName = \"telnet://:7001\"\n"
  "serial0.yieldOnMsrRead = \"TRUE\"\n"
  "serial0.present = \"TRUE\"\n"
  "serial1.fileType = \"file\"\n"
  "serial1.fileName = \"serial1.log\"\n"
  "serial1.present = \"TRUE\"\n"
  "displayName = \"web01\"\n"
  "guestOS = \"ubuntu-64\"\n"
  "sched.cpu.affinity = \"all\"\n"
  "uuid.bios = \"56 4d 12 ab 34 cd 56 ef-78 90 a1 b2 c3 d4 e5 f6\"\n"
  "vc.uuid = \"52 7e 0c 4f 1a 2b 3c 4d-5e 6f 70 81 92 a3 b4 c5\"\n"
  "ethernet0.generatedAddress = \"00:0c:29:d4:e5:f6\"\n"
  "ethernet0.generatedAddressOffset = \"0\"\n"
  "ethernet2.generatedAddress = \"00:50:56:9a:4c:01\"\n"
  "ethernet1.pciSlotNumber = \"224\"\n"
  "ethernet2.pciSlotNumber = \"256\"\n"
  "scsi1.pciSlotNumber = \"1184\"\n"
  "sata0.pciSlotNumber = \"33\"\n"
  "nvme0.pciSlotNumber = \"1216\"\n";

static void
check_disk (const struct vm_disk *d, enum vm_bus bus, unsigned controller,
            unsigned unit, const char *model, const char *file,
            uint64_t capacity, const char *dir)
{
  char *path = test_printf ("%s/%s", dir, file);

  CHECK (d->bus == bus);
  CHECK (d->controller == controller);
  CHECK (d->unit == unit);
  CHECK_STREQ (d->controller_model, model);
  CHECK_STREQ (d->path, path);
  CHECK_STREQ (d->datastore, dir);
  CHECK (d->capacity == capacity);
  CHECK (d->mode == VM_DISK_PERSISTENT);
  CHECK (!d->shared);
  CHECK (d->rdm == VM_RDM_NONE);
}

int
main (void)
{
  struct vm vm = VM_INIT;
  char dir[PATH_MAX];

  test_init (false);
  CHECK (realpath (test_dir (), dir) != NULL);
  vt_write_esxi_vmx ("web01.vmx", 19, body);
  vt_write_vmfs_disk ("web01", 64);
  vt_write_vmfs_disk ("web01_1", 16);
  vt_write_vmfs_disk ("web01_2", 8);
  vt_write_vmfs_disk ("web01_3", 4);

  vt_read ("web01.vmx", &vm);

  CHECK_STREQ (vm.name, "web01");
  CHECK_STREQ (vm.uuid, "564d12ab-34cd-56ef-7890-a1b2c3d4e5f6");
  CHECK_STREQ (vm.source, test_printf ("vmx:%s/web01.vmx", dir));
  CHECK (vm.firmware == VM_FIRMWARE_BIOS);
  CHECK (!vm.secure_boot);
  CHECK_STREQ (vm.hardware_version, "vmx-19");
  CHECK (vm.vcpus == 4);
  CHECK (vm.cores_per_socket == 2);
  CHECK (vm.memory_mib == 8192);
  CHECK (!vm.cpu_hot_add && !vm.memory_hot_add);
  CHECK (vm.cpu_affinity == NULL);
  CHECK_STREQ (vm.guest_os, "ubuntu-64");
  CHECK (vm.os_family == VM_OS_LINUX);
  CHECK (!vm.tpm && !vm.usb && !vm.cbt);
  CHECK (vm.passthrough.len == 0);
  CHECK (vm.snapshots.len == 0 && vm.current_snapshot == NULL);

  CHECK (vm.disks.len == 4);
  check_disk (&vm.disks.ptr[0], VM_BUS_SCSI, 0, 0, "lsilogic", "web01.vmdk",
              64 * MiB, dir);
  check_disk (&vm.disks.ptr[1], VM_BUS_SCSI, 1, 0, "pvscsi", "web01_1.vmdk",
              16 * MiB, dir);
  check_disk (&vm.disks.ptr[2], VM_BUS_SATA, 0, 1, NULL, "web01_2.vmdk",
              8 * MiB, dir);
  check_disk (&vm.disks.ptr[3], VM_BUS_NVME, 0, 0, NULL, "web01_3.vmdk",
              4 * MiB, dir);

  CHECK (vm.cdroms.len == 1);
  CHECK (vm.cdroms.ptr[0].bus == VM_BUS_SATA);
  CHECK (vm.cdroms.ptr[0].controller == 0 && vm.cdroms.ptr[0].unit == 0);
  /* Not on this machine, nor next to the .vmx: kept as written. */
  CHECK_STREQ (vm.cdroms.ptr[0].path, "/vmfs/volumes/datastore1/iso/"
               "ubuntu-20.04.2-live-server-amd64.iso");

  CHECK (vm.nics.len == 3);
  CHECK_STREQ (vm.nics.ptr[0].model, "vmxnet3");
  CHECK_STREQ (vm.nics.ptr[0].mac, "00:0c:29:d4:e5:f6");
  CHECK_STREQ (vm.nics.ptr[0].network, "VM Network");
  CHECK (vm.nics.ptr[0].connected && !vm.nics.ptr[0].sriov);
  CHECK (vm.nics.ptr[0].pci_slot == 192);
  CHECK (vm.nics.ptr[1].pci_slot == 224);
  CHECK (vm.nics.ptr[2].pci_slot == 256);
  CHECK_STREQ (vm.nics.ptr[1].model, "e1000e");
  CHECK_STREQ (vm.nics.ptr[1].mac, "00:50:56:3f:12:ab");
  CHECK_STREQ (vm.nics.ptr[1].network, "Backup");
  CHECK (vm.nics.ptr[1].connected && !vm.nics.ptr[1].sriov);
  CHECK_STREQ (vm.nics.ptr[2].model, "vmxnet3");
  CHECK_STREQ (vm.nics.ptr[2].mac, "00:50:56:9a:4c:01");
  CHECK_STREQ (vm.nics.ptr[2].network, "DMZ");
  CHECK (!vm.nics.ptr[2].connected && !vm.nics.ptr[2].sriov);

  CHECK (vm.serials.len == 2);
  CHECK_STREQ (vm.serials.ptr[0].kind, "network");
  CHECK_STREQ (vm.serials.ptr[0].target, "telnet://:7001");
  CHECK_STREQ (vm.serials.ptr[1].kind, "file");
  CHECK_STREQ (vm.serials.ptr[1].target, "serial1.log");

  vm_free (&vm);
  return 0;
}
