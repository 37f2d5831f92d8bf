/* From a VM folder: each PCI passthrough device (a GPU, a vGPU) is one
 * Critical passthrough-device finding, each SR-IOV NIC (ethernetN of type
 * sriov, pciPassthruN with a pfId) one Critical sriov-nic finding naming
 * the NIC; the plain vmxnet3 NIC is clean. */
#include "../vmx/vmxtest.h"
#include "validatetest.h"

static const char body[] =
  "numvcpus = \"8\"\n"
  "memSize = \"16384\"\n"
  "guestOS = \"ubuntu-64\"\n"
  "ctkEnabled = \"TRUE\"\n"
  "scsi0.virtualDev = \"pvscsi\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0:0.fileName = \"gpu01.vmdk\"\n"
  "scsi0:0.present = \"TRUE\"\n"
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
  "pciPassthru0.present = \"TRUE\"\n"
  "pciPassthru1.vgpu = \"grid_t4-4q\"\n"
  "pciPassthru1.present = \"TRUE\"\n"
  "pciPassthru2.id = \"00000:026:00.1\"\n"
  "pciPassthru2.pfId = \"00000:026:00.1\"\n"
  "pciPassthru2.dvs.portgroupId = \"dvportgroup-75\"\n"
  "pciPassthru2.addressType = \"vpx\"\n"
  "pciPassthru2.generatedAddress = \"00:50:56:8c:d0:6d\"\n"
  "pciPassthru2.present = \"TRUE\"\n"
  "displayName = \"gpu01\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;
  finding_vector f = empty_vector;
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;
  size_t sriov = 0, passthrough = 0;

  test_init (false);
  vt_write_esxi_vmx ("gpu01.vmx", 19, body);
  vt_write_vmfs_disk ("gpu01", 16);
  vt_read ("gpu01.vmx", &vm);
  CHECK (vm.passthrough.len == 2 && vm.nics.len == 3);

  ctx.networks = valt_mapping ("*=default", NULL);
  valt_run (&vm, &ctx, &f);
  CHECK (f.len == 4);
  for (size_t i = 0; i < f.len; i++) {
    const struct finding *x = &f.ptr[i];

    CHECK (x->severity == FINDING_CRITICAL && x->disk == -1);
    if (strcmp (x->rule, "sriov-nic") == 0) {
      CHECK (x->nic == 1 || x->nic == 2);
      CHECK (strstr (x->message, x->nic == 1
                     ? "NIC 1 on network 'Trading' is an SR-IOV virtual "
                       "function"
                     : "NIC 2 on network 'dvportgroup-75'"));
      sriov++;
    }
    else if (strcmp (x->rule, "passthrough-device") == 0) {
      CHECK (x->nic == -1);
      CHECK (strstr (x->message, passthrough == 0
                     ? "device 00000:059:00.0 [10de:1eb8] is hardware"
                     : "device pciPassthru1 vgpu grid_t4-4q is hardware"));
      passthrough++;
    }
    else
      FAIL ("unexpected finding %s", x->rule);
  }
  CHECK (sriov == 2 && passthrough == 2);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
