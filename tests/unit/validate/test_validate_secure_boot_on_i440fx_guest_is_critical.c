/* UEFI secure boot needs q35 (SMM), and a guest that needs i440fx
 * (Windows Server 2003 here) cannot have q35: the domain writer refuses
 * the combination, so it is Critical.  Without secure boot it is fine. */
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
  ctx.compat = true;            /* Windows without VirtIO drivers */
  free (vm.guest_os);
  vm.guest_os = valt_strdup ("winNetEnterprise");
  vm.os_family = VM_OS_WINDOWS;
  vm.firmware = VM_FIRMWARE_UEFI;

  vm.secure_boot = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "firmware-unsupported", FINDING_CRITICAL, -1, -1,
                    "guest OS 'winNetEnterprise' needs i440fx");
  CHECK (validate_blocks (&f));

  vm.secure_boot = false;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
