/* Independent disks are reported once each, with advice that depends on
 * the mode: independent-persistent disks are not in snapshots, which
 * matters only to a warm migration (Warning when one is planned, Info for
 * a cold one); nonpersistent ones lose their changes (Warning either
 * way). */
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
  ctx.warm = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-independent", FINDING_WARNING, 0, -1,
                    "disk 0 (scsi0:0): independent-persistent: left out of "
                    "snapshots, so a warm migration cannot copy it");
  ctx.warm = false;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-independent", FINDING_INFO, 0, -1,
                    "disk 0 (scsi0:0): independent-persistent: left out of "
                    "snapshots: no matter for a cold migration");

  vm.disks.ptr[0].mode = VM_DISK_INDEPENDENT_NONPERSISTENT;
  for (int warm = 0; warm <= 1; warm++) {
    ctx.warm = warm;
    valt_run (&vm, &ctx, &f);
    valt_expect_only (&f, "disk-independent", FINDING_WARNING, 0, -1,
                      "independent-nonpersistent: changes since power-on "
                      "are discarded");
  }

  vm.disks.ptr[0].mode = VM_DISK_PERSISTENT;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
