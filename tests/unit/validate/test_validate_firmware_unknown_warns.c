/* Unknown firmware is a Warning (the VM is defined with BIOS); BIOS and
 * UEFI, with or without secure boot on a modern guest, are clean. */
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

  vm.firmware = VM_FIRMWARE_UNKNOWN;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "firmware-unsupported", FINDING_WARNING, -1, -1,
                    "the firmware is unknown");

  vm.firmware = VM_FIRMWARE_UEFI;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  vm.secure_boot = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
