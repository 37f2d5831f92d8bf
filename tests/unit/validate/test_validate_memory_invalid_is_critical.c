/* No memory size (0 MiB) is Critical. */
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

  vm.memory_mib = 0;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "memory-invalid", FINDING_CRITICAL, -1, -1,
                    "no memory size");

  vm.memory_mib = 4;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
