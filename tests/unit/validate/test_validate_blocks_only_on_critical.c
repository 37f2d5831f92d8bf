/* validate_blocks is true exactly when a Critical finding is present;
 * Warnings and Infos never block. */
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

  valt_run (&vm, &ctx, &f);
  CHECK (!validate_blocks (&f));

  vm.tpm = vm.usb = vm.cpu_hot_add = true;
  vm.cbt = false;
  valt_run (&vm, &ctx, &f);
  CHECK (validate_count (&f, FINDING_WARNING) == 1);
  CHECK (validate_count (&f, FINDING_INFO) == 3);
  CHECK (!validate_blocks (&f));

  vm.memory_mib = 0;
  valt_run (&vm, &ctx, &f);
  CHECK (validate_count (&f, FINDING_CRITICAL) == 1);
  CHECK (validate_blocks (&f));

  validate_findings_free (&f);
  CHECK (f.len == 0 && f.ptr == NULL);
  CHECK (!validate_blocks (&f));
  vm_free (&vm);
  return 0;
}
