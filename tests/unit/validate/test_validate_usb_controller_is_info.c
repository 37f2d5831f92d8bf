/* A USB controller is an Info: it is recreated, host-attached devices
 * are not carried over. */
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

  vm.usb = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "usb-controller", FINDING_INFO, -1, -1,
                    "USB devices attached");
  CHECK (!validate_blocks (&f));

  vm.usb = false;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
