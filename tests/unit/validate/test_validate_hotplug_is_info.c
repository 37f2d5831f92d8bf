/* CPU and memory hot-add are one Info each, under their own rule ids. */
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

  vm.cpu_hot_add = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "cpu-hotplug", FINDING_INFO, -1, -1,
                    "CPU hot-add is enabled");

  vm.cpu_hot_add = false;
  vm.memory_hot_add = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "memory-hotplug", FINDING_INFO, -1, -1,
                    "memory hot-add is enabled");

  vm.memory_hot_add = false;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
