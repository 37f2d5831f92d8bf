/* A physical-mode RDM (VMFSRAW) read from a VM folder is Critical, naming
 * the disk and saying to present the LUN to the KVM host; its mapping file
 * is absent, yet no disk-chain-broken or capacity finding is added for it,
 * and the other disk of the VM is clean. */
#include "../vmx/vmxtest.h"
#include "validatetest.h"

static const char body[] =
  "numvcpus = \"2\"\n"
  "memSize = \"4096\"\n"
  "guestOS = \"rhel8-64\"\n"
  "ctkEnabled = \"TRUE\"\n"
  "scsi0.virtualDev = \"pvscsi\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0:0.fileName = \"db01.vmdk\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "scsi0:1.deviceType = \"scsi-hardDisk\"\n"
  "scsi0:1.fileName = \"db01_1.vmdk\"\n"
  "scsi0:1.present = \"TRUE\"\n"
  "displayName = \"db01\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;
  finding_vector f = empty_vector;
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;

  test_init (false);
  vt_write_esxi_vmx ("db01.vmx", 19, body);
  vt_write_vmfs_disk ("db01", 16);
  vt_write_rdm_disk ("db01_1", "VMFSRAW", 41943040);
  vt_read ("db01.vmx", &vm);
  CHECK (vm.disks.len == 2 && vm.disks.ptr[1].rdm == VM_RDM_PHYSICAL);

  ctx.target_free_bytes = INT64_C (1) << 40;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "rdm-physical", FINDING_CRITICAL, 1, -1,
                    "disk 1 (scsi0:1): physical-mode RDM");
  CHECK (strstr (f.ptr[0].message, "present the LUN to the KVM host"));
  CHECK (validate_blocks (&f));

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
