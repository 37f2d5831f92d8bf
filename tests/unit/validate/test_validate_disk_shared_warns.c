/* A shared (multi-writer) disk is a Warning: it must move with all its
 * VMs and stays raw. */
#include "validatetest.h"

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();
  valt_add_disk (&vm, "quorum.img", 16 * MiB, 0);

  vm.disks.ptr[1].shared = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-shared", FINDING_WARNING, 1, -1,
                    "disk 1 (scsi0:1): shared with other VMs");
  CHECK (strstr (f.ptr[0].message, "stays raw"));

  vm.disks.ptr[1].shared = false;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
