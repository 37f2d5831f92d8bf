/* CPU pinning is a Warning quoting the affinity as written. */
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

  vm.cpu_affinity = valt_strdup ("0,1,4-7");
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "cpu-affinity", FINDING_WARNING, -1, -1,
                    "pinned to host CPUs '0,1,4-7'");

  free (vm.cpu_affinity);
  vm.cpu_affinity = NULL;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
