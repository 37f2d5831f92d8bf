/* A virtual-mode RDM (VMFSRDM) is Critical too: the mapping file only
 * points at a LUN, which ferry cannot read, and the domain writer refuses
 * RDMs of either mode.  The message says to convert it to a VMDK first. */
#include "../vmx/vmxtest.h"
#include "validatetest.h"

static const char body[] =
  "numvcpus = \"2\"\n"
  "memSize = \"4096\"\n"
  "guestOS = \"rhel8-64\"\n"
  "ctkEnabled = \"TRUE\"\n"
  "scsi0.virtualDev = \"lsisas1068\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0:0.fileName = \"db01.vmdk\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "scsi0:2.fileName = \"db01_2.vmdk\"\n"
  "scsi0:2.present = \"TRUE\"\n"
  "displayName = \"db01\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;
  finding_vector f = empty_vector;

  test_init (false);
  vt_write_esxi_vmx ("db01.vmx", 19, body);
  vt_write_vmfs_disk ("db01", 16);
  vt_write_rdm_disk ("db01_2", "VMFSRDM", 2097152);
  vt_read ("db01.vmx", &vm);
  CHECK (vm.disks.len == 2 && vm.disks.ptr[1].rdm == VM_RDM_VIRTUAL);

  /* No context at all (NULL): the defaults, and the VM has no NIC. */
  valt_run (&vm, NULL, &f);
  valt_expect_only (&f, "rdm-virtual", FINDING_CRITICAL, 1, -1,
                    "disk 1 (scsi0:2): virtual-mode RDM");
  CHECK (strstr (f.ptr[0].message, "convert it to a virtual disk"));

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
