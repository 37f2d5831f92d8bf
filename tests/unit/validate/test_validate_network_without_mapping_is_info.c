/* Without any network mapping (validating an inventory before planning),
 * each NIC is an Info saying the plan must map its network: nothing
 * blocks yet. */
#include "validatetest.h"

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;

  test_init (false);
  valt_base (&vm);

  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "network-unmapped", FINDING_INFO, -1, 0,
                    "NIC 0 on network 'VM Network': no network mapping "
                    "given yet");
  CHECK (!validate_blocks (&f));

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
