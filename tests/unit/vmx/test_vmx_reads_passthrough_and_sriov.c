/* PCI passthrough devices are listed by host address and vendor:device
 * ids (a vGPU by its profile); SR-IOV virtual functions (pciPassthruN with
 * a pfId, or an ethernetN of type "sriov") are NICs marked sriov. */
#include "vmxtest.h"

static const char body[] =
  "ethernet0.virtualDev = \"vmxnet3\"\n"
  "ethernet0.networkName = \"VM Network\"\n"
  "ethernet0.addressType = \"generated\"\n"
  "ethernet0.generatedAddress = \"00:0c:29:11:22:33\"\n"
  "ethernet0.present = \"TRUE\"\n"
  "ethernet1.virtualDev = \"sriov\"\n"
  "ethernet1.networkName = \"Trading\"\n"
  "ethernet1.addressType = \"static\"\n"
  "ethernet1.address = \"00:50:56:00:00:01\"\n"
  "ethernet1.present = \"TRUE\"\n"
  "pciPassthru0.id = \"00000:059:00.0\"\n"
  "pciPassthru0.deviceId = \"0x1eb8\"\n"
  "pciPassthru0.vendorId = \"0x10de\"\n"
  "pciPassthru0.systemId = \"5f1e2d3c-4b5a-6978-abcd-0123456789ab\"\n"
  "pciPassthru0.present = \"TRUE\"\n"
  "pciPassthru1.vgpu = \"grid_t4-4q\"\n"
  "pciPassthru1.present = \"TRUE\"\n"
  "pciPassthru2.deviceId = \"0\"\n"
  "pciPassthru2.dvs.portgroupId = \"dvportgroup-75\"\n"
  "pciPassthru2.id = \"00000:026:00.1\"\n"
  "pciPassthru2.pfId = \"00000:026:00.1\"\n"
  "pciPassthru2.systemId = \"BYPASS\"\n"
  "pciPassthru2.vendorId = \"0\"\n"
  "pciPassthru2.addressType = \"vpx\"\n"
  "pciPassthru2.generatedAddress = \"00:50:56:8c:d0:6d\"\n"
  "pciPassthru2.present = \"TRUE\"\n"
  "pciPassthru3.id = \"00000:130:00.0\"\n"
  "pciPassthru3.present = \"FALSE\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  vt_write_esxi_vmx ("gpu01.vmx", 19, body);
  vt_read ("gpu01.vmx", &vm);

  CHECK (vm.passthrough.len == 2);
  CHECK_STREQ (vm.passthrough.ptr[0], "00000:059:00.0 [10de:1eb8]");
  CHECK_STREQ (vm.passthrough.ptr[1], "pciPassthru1 vgpu grid_t4-4q");

  CHECK (vm.nics.len == 3);
  CHECK_STREQ (vm.nics.ptr[0].model, "vmxnet3");
  CHECK (!vm.nics.ptr[0].sriov);
  CHECK_STREQ (vm.nics.ptr[1].model, "sriov");
  CHECK (vm.nics.ptr[1].sriov);
  CHECK_STREQ (vm.nics.ptr[1].network, "Trading");
  CHECK_STREQ (vm.nics.ptr[1].mac, "00:50:56:00:00:01");
  CHECK_STREQ (vm.nics.ptr[2].model, "sriov");
  CHECK (vm.nics.ptr[2].sriov);
  CHECK_STREQ (vm.nics.ptr[2].network, "dvportgroup-75");
  CHECK_STREQ (vm.nics.ptr[2].mac, "00:50:56:8c:d0:6d");
  CHECK (vm.nics.ptr[2].connected);
  vm_free (&vm);
  return 0;
}
