/* test_plan_state_names_round_trip: every state has a name that parses
 * back to it; active = validating..defining; unknown names are refused. */
#include "plantest.h"

int
main (void)
{
  enum plan_vm_state st;
  size_t active = 0;

  for (unsigned i = 0; i < PLAN_VM_NR_STATES; i++) {
    CHECK (plan_vm_state_parse (plan_vm_state_name (i), &st) == 0);
    CHECK (st == i);
    active += plan_vm_state_is_active (i);
  }
  CHECK (active == 6);
  CHECK (!plan_vm_state_is_active (PLAN_VM_PENDING));
  CHECK (!plan_vm_state_is_active (PLAN_VM_DONE));
  CHECK (!plan_vm_state_is_active (PLAN_VM_FAILED));
  CHECK (!plan_vm_state_is_active (PLAN_VM_CANCELLED));
  CHECK (plan_vm_state_parse ("running", &st) == -1);
  CHECK (strstr (error_message (), "running") != NULL);
  return 0;
}
