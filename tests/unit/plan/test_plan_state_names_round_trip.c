/* test_plan_state_names_round_trip: each state has the name that
 * docs/plan-state-machine.md gives it (written out here, from the doc's
 * table), and that name parses back to the state; active = validating ..
 * defining, syncing and cutting-over, as the doc says; unknown names are refused. */
#include "plantest.h"

int
main (void)
{
  static const char *const spec[PLAN_VM_NR_STATES] = {
    [PLAN_VM_PENDING] = "pending",
    [PLAN_VM_VALIDATING] = "validating",
    [PLAN_VM_PREPARING] = "preparing",
    [PLAN_VM_COPYING] = "copying",
    [PLAN_VM_VERIFYING] = "verifying",
    [PLAN_VM_ADAPTING] = "adapting",
    [PLAN_VM_DEFINING] = "defining",
    [PLAN_VM_SYNCING] = "syncing",
    [PLAN_VM_CUTTING_OVER] = "cutting-over",
    [PLAN_VM_ROLLED_BACK] = "rolled-back",
    [PLAN_VM_DONE] = "done",
    [PLAN_VM_FAILED] = "failed",
    [PLAN_VM_CANCELLED] = "cancelled",
  };
  static const char *const active[] = {
    "validating", "preparing", "copying", "verifying", "adapting", "defining",
    "syncing", "cutting-over",
  };
  enum plan_vm_state st;

  CHECK (PLAN_VM_NR_STATES == 13);
  for (unsigned i = 0; i < PLAN_VM_NR_STATES; i++) {
    bool want_active = false;

    CHECK (spec[i] != NULL);
    if (strcmp (plan_vm_state_name (i), spec[i]) != 0)
      FAIL ("state %u is called \"%s\", the doc says \"%s\"", i,
            plan_vm_state_name (i), spec[i]);
    CHECK (plan_vm_state_parse (spec[i], &st) == 0);
    CHECK (st == i);
    for (size_t k = 0; k < sizeof active / sizeof active[0]; k++)
      want_active |= strcmp (active[k], spec[i]) == 0;
    if (plan_vm_state_is_active (i) != want_active)
      FAIL ("%s: active is %d, the doc says %d", spec[i],
            plan_vm_state_is_active (i), want_active);
  }
  CHECK (strcmp (plan_vm_state_name (PLAN_VM_NR_STATES), "?") == 0);
  CHECK (plan_vm_state_parse ("running", &st) == -1);
  CHECK (strstr (error_message (), "running") != NULL);
  CHECK (plan_vm_state_parse ("Pending", &st) == -1);
  return 0;
}
