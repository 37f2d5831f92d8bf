/* An unrecorded or unrecognised guest OS is a Warning quoting the id;
 * a BSD is guest-os-unsupported (copied, not adapted). */
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

  free (vm.guest_os);
  vm.guest_os = NULL;
  vm.os_family = VM_OS_UNKNOWN;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "guest-os-unknown", FINDING_WARNING, -1, -1,
                    "the guest OS is not recorded");

  vm.guest_os = valt_strdup ("plan9-64");
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "guest-os-unknown", FINDING_WARNING, -1, -1,
                    "guest OS 'plan9-64' is not one ferry recognises");

  free (vm.guest_os);
  vm.guest_os = valt_strdup ("freebsd13-64");
  vm.os_family = VM_OS_OTHER;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "guest-os-unsupported", FINDING_WARNING, -1, -1,
                    "guest OS 'freebsd13-64' is neither Linux nor Windows");

  /* Windows is recognised (with --compat: see windows-virtio). */
  vm.os_family = VM_OS_WINDOWS;
  ctx.compat = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
