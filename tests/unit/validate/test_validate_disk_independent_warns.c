/* Independent disks are a Warning, once each, with advice that depends on
 * the mode: independent-persistent disks are not in snapshots (warm
 * migration cannot follow them), nonpersistent ones lose their changes. */
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

  vm.disks.ptr[0].mode = VM_DISK_INDEPENDENT_PERSISTENT;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-independent", FINDING_WARNING, 0, -1,
                    "disk 0 (scsi0:0): independent-persistent: left out of "
                    "snapshots");

  vm.disks.ptr[0].mode = VM_DISK_INDEPENDENT_NONPERSISTENT;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-independent", FINDING_WARNING, 0, -1,
                    "independent-nonpersistent: changes since power-on are "
                    "discarded");

  vm.disks.ptr[0].mode = VM_DISK_PERSISTENT;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
