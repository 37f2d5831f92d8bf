/* A Windows guest (as the .vmx's guestOS says) planned with VirtIO
 * devices is Critical: ferry cannot install the VirtIO drivers yet, so it
 * would not find its boot disk.  The message names --compat, and with
 * compat the finding is gone.  A Linux guest on VirtIO is not concerned. */
#include "../vmx/vmxtest.h"
#include "validatetest.h"

static const char body[] =
  "numvcpus = \"2\"\n"
  "memSize = \"4096\"\n"
  "firmware = \"efi\"\n"
  "guestOS = \"windows2019srv-64\"\n"
  "ctkEnabled = \"TRUE\"\n"
  "scsi0.virtualDev = \"lsisas1068\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0:0.fileName = \"dc01.vmdk\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "displayName = \"dc01\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;
  finding_vector f = empty_vector;
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;

  test_init (false);
  vt_write_esxi_vmx ("dc01.vmx", 19, body);
  vt_write_vmfs_disk ("dc01", 16);
  vt_read ("dc01.vmx", &vm);
  CHECK (vm.os_family == VM_OS_WINDOWS);

  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "windows-virtio", FINDING_CRITICAL, -1, -1,
                    "Windows guest 'windows2019srv-64' would get VirtIO "
                    "disks and NICs");
  CHECK (strstr (f.ptr[0].message, "--compat"));
  CHECK (validate_blocks (&f));

  ctx.compat = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  /* The same VM as a Linux guest: VirtIO is fine. */
  ctx.compat = false;
  free (vm.guest_os);
  vm.guest_os = valt_strdup ("rhel8-64");
  vm.os_family = VM_OS_LINUX;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
