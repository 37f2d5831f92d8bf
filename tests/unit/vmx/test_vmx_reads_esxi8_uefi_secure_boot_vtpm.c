/* An ESXi 8 VM (hardware version 20) with EFI firmware, secure boot and a
 * virtual TPM. */
#include "vmxtest.h"

static const char body[] =
  "numvcpus = \"2\"\n"
  "memSize = \"4096\"\n"
  "firmware = \"efi\"\n"
  "uefi.secureBoot.enabled = \"TRUE\"\n"
  "vtpm.present = \"TRUE\"\n"
  "nvme0.present = \"TRUE\"\n"
  "nvme0:0.fileName = \"win11.vmdk\"\n"
  "nvme0:0.present = \"TRUE\"\n"
  "displayName = \"win11\"\n"
  "guestOS = \"windows11-64\"\n"
  "uuid.bios = \"42 1a 2b 3c 4d 5e 6f 70-81 92 a3 b4 c5 d6 e7 f8\"\n"
  "vtpm.ekCSR = \"MIIC...\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  vt_write_esxi_vmx ("win11.vmx", 20, body);
  vt_write_vmfs_disk ("win11", 64);
  vt_read ("win11.vmx", &vm);

  CHECK_STREQ (vm.hardware_version, "vmx-20");
  CHECK (vm.firmware == VM_FIRMWARE_UEFI);
  CHECK (vm.secure_boot);
  CHECK (vm.tpm);
  CHECK (vm.os_family == VM_OS_WINDOWS);
  CHECK (vm.vcpus == 2 && vm.memory_mib == 4096);
  CHECK (vm.disks.len == 1 && vm.disks.ptr[0].bus == VM_BUS_NVME);
  CHECK (vm.disks.ptr[0].capacity == 64 * MiB);
  vm_free (&vm);
  return 0;
}
