/* A sparse hand-written (Workstation-style) .vmx: what is not written
 * takes VMware's default (one vCPU, BIOS, NIC connected, vlance when no
 * virtualDev) or stays unknown (name, memory, hardware version, OS). */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  test_write_text ("ws.vmx",
                   "# hand written\n"
                   "\n"
                   "ethernet0.present = \"TRUE\"\n"
                   "ethernet0.connectionType = \"nat\"\n"
                   "ethernet0.generatedAddress = \"00:0C:29:AB:CD:EF\"\n");
  vt_read ("ws.vmx", &vm);
  CHECK (vm.name == NULL && vm.uuid == NULL);
  CHECK (vm.vcpus == 1 && vm.cores_per_socket == 0);
  CHECK (vm.memory_mib == 0);
  CHECK (vm.firmware == VM_FIRMWARE_BIOS && !vm.secure_boot);
  CHECK (vm.hardware_version == NULL);
  CHECK (vm.guest_os == NULL && vm.os_family == VM_OS_UNKNOWN);
  CHECK (vm.cpu_affinity == NULL);
  CHECK (vm.disks.len == 0 && vm.cdroms.len == 0);
  CHECK (vm.nics.len == 1);
  CHECK_STREQ (vm.nics.ptr[0].model, "vlance");
  CHECK_STREQ (vm.nics.ptr[0].network, "nat");
  CHECK_STREQ (vm.nics.ptr[0].mac, "00:0c:29:ab:cd:ef");
  CHECK (vm.nics.ptr[0].connected && !vm.nics.ptr[0].sriov);
  vm_free (&vm);

  /* An unknown firmware value is unknown, not BIOS. */
  test_write_text ("ws.vmx", "firmware = \"coreboot\"\n");
  vt_read ("ws.vmx", &vm);
  CHECK (vm.firmware == VM_FIRMWARE_UNKNOWN);
  vm_free (&vm);
  return 0;
}
