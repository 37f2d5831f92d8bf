/* A VM without disks is a Warning; the space rule has nothing to count. */
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
  ctx.target_free_bytes = 0;

  free (vm.disks.ptr[0].controller_model);
  free (vm.disks.ptr[0].path);
  free (vm.disks.ptr[0].datastore);
  vm.disks.len = 0;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "no-disks", FINDING_WARNING, -1, -1,
                    "the VM has no disks");

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
