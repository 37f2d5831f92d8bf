/* When the source records a capacity other than the chain's size, the VM
 * changed since it was read (or its description is wrong): Critical.  A
 * capacity of 0 in the model means "unknown until opened" (vm.h) and is
 * not a finding when the chain opens. */
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

  vm.disks.ptr[0].capacity = 32 * MiB;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-capacity-invalid", FINDING_CRITICAL, 0, -1,
                    "the source records 33554432 bytes but the image chain "
                    "holds 67108864");

  vm.disks.ptr[0].capacity = 0;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  vm.disks.ptr[0].capacity = 64 * MiB;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
