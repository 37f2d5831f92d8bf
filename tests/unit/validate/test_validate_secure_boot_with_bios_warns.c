/* Secure boot recorded on a BIOS VM is inconsistent but not fatal: BIOS
 * has no secure boot, the source boots without it and so will the target
 * (the domain writer ignores the flag): a Warning to check the firmware. */
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

  vm.secure_boot = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "firmware-unsupported", FINDING_WARNING, -1, -1,
                    "secure boot is enabled but the VM boots with BIOS");

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
