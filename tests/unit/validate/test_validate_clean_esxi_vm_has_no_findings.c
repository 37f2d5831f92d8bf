/* An ESXi 7 VM read from its folder by vmx_read (four controllers and
 * disks, an ISO, three NICs, serial ports, CBT on) validates without any
 * finding when its networks and datastore are mapped, warm, with room on
 * the target: the reader and the rules agree on what a clean VM is. */
#include "../vmx/vmxtest.h"
#include "validatetest.h"

static const char body[] =
  "numvcpus = \"4\"\n"
  "cpuid.coresPerSocket = \"2\"\n"
  "memSize = \"8192\"\n"
  "firmware = \"efi\"\n"
  "uefi.secureBoot.enabled = \"TRUE\"\n"
  "ctkEnabled = \"TRUE\"\n"
  "scsi0.virtualDev = \"lsilogic\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi1.virtualDev = \"pvscsi\"\n"
  "scsi1.present = \"TRUE\"\n"
  "sata0.present = \"TRUE\"\n"
  "nvme0.present = \"TRUE\"\n"
  "scsi0:0.deviceType = \"scsi-hardDisk\"\n"
  "scsi0:0.fileName = \"web01.vmdk\"\n"
  "scsi0:0.ctkEnabled = \"TRUE\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "scsi1:0.deviceType = \"scsi-hardDisk\"\n"
  "scsi1:0.fileName = \"web01_1.vmdk\"\n"
  "scsi1:0.ctkEnabled = \"TRUE\"\n"
  "scsi1:0.present = \"TRUE\"\n"
  "sata0:1.fileName = \"web01_2.vmdk\"\n"
  "sata0:1.present = \"TRUE\"\n"
  "nvme0:0.fileName = \"web01_3.vmdk\"\n"
  "nvme0:0.present = \"TRUE\"\n"
  "sata0:0.deviceType = \"cdrom-image\"\n"
  "sata0:0.fileName = \"/vmfs/volumes/datastore1/iso/ubuntu.iso\"\n"
  "sata0:0.present = \"TRUE\"\n"
  "ethernet0.virtualDev = \"vmxnet3\"\n"
  "ethernet0.networkName = \"VM Network\"\n"
  "ethernet0.addressType = \"generated\"\n"
  "ethernet0.generatedAddress = \"00:0c:29:d4:e5:f6\"\n"
  "ethernet0.present = \"TRUE\"\n"
  "ethernet1.virtualDev = \"e1000e\"\n"
  "ethernet1.networkName = \"Backup\"\n"
  "ethernet1.addressType = \"static\"\n"
  "ethernet1.address = \"00:50:56:3F:12:AB\"\n"
  "ethernet1.present = \"TRUE\"\n"
  "ethernet2.virtualDev = \"vmxnet3\"\n"
  "ethernet2.networkName = \"DMZ\"\n"
  "ethernet2.addressType = \"vpx\"\n"
  "ethernet2.generatedAddress = \"00:50:56:9a:4c:01\"\n"
  "ethernet2.startConnected = \"FALSE\"\n"
  "ethernet2.present = \"TRUE\"\n"
  "serial0.fileType = \"network\"\n"
  "serial0.fileName = \"telnet://:7001\"\n"
  "serial0.present = \"TRUE\"\n"
  "displayName = \"web01\"\n"
  "guestOS = \"ubuntu-64\"\n"
  "sched.cpu.affinity = \"all\"\n"
  "uuid.bios = \"56 4d 12 ab 34 cd 56 ef-78 90 a1 b2 c3 d4 e5 f6\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;
  finding_vector f = empty_vector;
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;

  test_init (false);
  vt_write_esxi_vmx ("web01.vmx", 19, body);
  vt_write_vmfs_disk ("web01", 64);
  vt_write_vmfs_disk ("web01_1", 16);
  vt_write_vmfs_disk ("web01_2", 8);
  vt_write_vmfs_disk ("web01_3", 4);
  vt_read ("web01.vmx", &vm);
  CHECK (vm.disks.len == 4 && vm.nics.len == 3 && vm.cbt);

  ctx.networks = valt_mapping ("VM Network=default", "Backup=backup",
                               "DMZ=dmz", NULL);
  ctx.storage = valt_mapping ("*=default", NULL);
  ctx.warm = true;
  /* The flat files are all holes: qcow2 metadata only (4 x 384 KiB). */
  ctx.target_free_bytes = 2 * MiB;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
