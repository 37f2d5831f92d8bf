/* A disk whose chain cannot be opened is Critical, with the driver's own
 * reason in the message: here a VMFS descriptor whose -flat.vmdk is
 * missing (vmx_read lists it with capacity 0).  No capacity finding is
 * added on top: the size cannot be known. */
#include "../vmx/vmxtest.h"
#include "validatetest.h"

static const char body[] =
  "numvcpus = \"1\"\n"
  "memSize = \"1024\"\n"
  "guestOS = \"debian11-64\"\n"
  "ctkEnabled = \"TRUE\"\n"
  "scsi0.virtualDev = \"pvscsi\"\n"
  "scsi0.present = \"TRUE\"\n"
  "scsi0:0.fileName = \"app01.vmdk\"\n"
  "scsi0:0.present = \"TRUE\"\n"
  "scsi0:1.fileName = \"app01_1.vmdk\"\n"
  "scsi0:1.present = \"TRUE\"\n"
  "displayName = \"app01\"\n";

int
main (void)
{
  struct vm vm = VM_INIT;
  finding_vector f = empty_vector;
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;

  test_init (false);
  vt_write_esxi_vmx ("app01.vmx", 19, body);
  vt_write_vmfs_disk ("app01", 16);
  vt_write_vmfs_disk ("app01_1", 16);
  test_run ("rm app01_1-flat.vmdk");
  vt_read ("app01.vmx", &vm);
  CHECK (vm.disks.len == 2 && vm.disks.ptr[1].capacity == 0);

  ctx.networks = valt_mapping ("*=default", NULL);
  ctx.target_free_bytes = INT64_C (1) << 40;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-chain-broken", FINDING_CRITICAL, 1, -1,
                    "disk 1 (scsi0:1): its image chain cannot be opened: ");
  CHECK (strstr (f.ptr[0].message, "app01_1-flat.vmdk"));

  /* The flat file back: clean. */
  vt_write_vmfs_disk ("app01_1", 16);
  vm.disks.ptr[1].capacity = 16 * MiB;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  /* A disk with no file recorded at all. */
  free (vm.disks.ptr[1].path);
  vm.disks.ptr[1].path = NULL;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-chain-broken", FINDING_CRITICAL, 1, -1,
                    "no image file");

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
