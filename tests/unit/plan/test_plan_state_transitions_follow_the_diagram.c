/* test_plan_state_transitions_follow_the_diagram: the state machine allows
 * exactly the transitions drawn in docs/plan-state-machine.md ("States of
 * a VM") and at the top of src/plan/plan.c, and plan_vm_set_state()
 * refuses every other one without writing anything.
 *
 * The expected transitions are written out below from the diagram, by
 * name: every (from, to) pair of the 13 x 13 is walked, allowed or not.
 * plan_vm_set_state() is checked on a real store for each pair: an allowed
 * transition is written (state and one event), a forbidden one is an error
 * naming both states and leaves the row and its events as they were; and a
 * VM that another writer moved meanwhile is not overwritten. */
#include "plantest.h"

static const char *const names[] = {
  "pending", "validating", "preparing", "copying", "verifying", "adapting",
  "defining", "syncing", "cutting-over", "done", "failed", "cancelled",
  "rolled-back",
};
#define NR (sizeof names / sizeof names[0])

/* The diagram, edge by edge. */
static const char *const allowed[][2] = {
  /* pending --plan_vm_run()--> validating, then the steps */
  { "pending", "validating" },
  { "validating", "preparing" },
  { "preparing", "copying" },
  { "copying", "verifying" },
  { "verifying", "adapting" },
  { "adapting", "defining" },
  { "defining", "done" },
  /* warm: preparing --> syncing (seed, syncs) --cutover due--> cutting-over
   * --> done, or rolled-back when the target failed */
  { "preparing", "syncing" },
  { "syncing", "cutting-over" },
  { "cutting-over", "done" },
  { "cutting-over", "rolled-back" },
  /* any active state --error--> failed, --cancel seen--> cancelled */
  { "validating", "failed" }, { "validating", "cancelled" },
  { "preparing", "failed" }, { "preparing", "cancelled" },
  { "copying", "failed" }, { "copying", "cancelled" },
  { "verifying", "failed" }, { "verifying", "cancelled" },
  { "adapting", "failed" }, { "adapting", "cancelled" },
  { "defining", "failed" }, { "defining", "cancelled" },
  { "syncing", "failed" }, { "syncing", "cancelled" },
  { "cutting-over", "failed" }, { "cutting-over", "cancelled" },
  /* pending --plan_cancel() without a live run--> cancelled */
  { "pending", "cancelled" },
  /* active (interrupted), cancelled, failed (--retry) --> validating */
  { "validating", "validating" },
  { "preparing", "validating" },
  { "copying", "validating" },
  { "verifying", "validating" },
  { "adapting", "validating" },
  { "defining", "validating" },
  { "syncing", "validating" },
  { "cutting-over", "validating" },
  { "cancelled", "validating" },
  /* rolled-back --> validating: a later run resumes syncing */
  { "rolled-back", "validating" },
  { "failed", "validating" },
};

static bool
expected (const char *from, const char *to)
{
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (strcmp (allowed[i][0], from) == 0 && strcmp (allowed[i][1], to) == 0)
      return true;
  return false;
}

static enum plan_vm_state
state (const char *name)
{
  enum plan_vm_state st;
  if (plan_vm_state_parse (name, &st) == -1)
    FAIL ("%s: %s", name, error_message ());
  return st;
}

/* A fresh VM put into state `name` behind the plan layer's back. */
static int64_t
vm_in (struct store *s, unsigned n, const char *name)
{
  char plan[32];
  int64_t vm;

  snprintf (plan, sizeof plan, "p%u", n);
  pt_make_plan (s, plan, 1 << 20, &vm, NULL);
  if (strcmp (name, "pending") != 0)
    CHECK (store_vm_set_state (s, vm, "pending", name, NULL, "setup") == 0);
  return vm;
}

static size_t
nr_events (struct store *s, int64_t vm)
{
  store_event_vector ev = empty_vector;
  size_t n;

  CHECK (store_event_list (s, vm, 0, &ev) == 0);
  n = ev.len;
  store_event_vector_free (&ev);
  return n;
}

int
main (void)
{
  struct store *s;
  unsigned n = 0, nr_allowed = 0;
  int64_t vm;
  struct store_vm row;

  test_init (false);
  s = pt_open ("ferry.db");
  CHECK (NR == PLAN_VM_NR_STATES);
  for (size_t f = 0; f < NR; f++)
    for (size_t t = 0; t < NR; t++) {
      bool want = expected (names[f], names[t]);
      enum plan_vm_state from = state (names[f]), to = state (names[t]);
      size_t events;
      int r;

      if (plan_vm_transition_allowed (from, to) != want)
        FAIL ("%s -> %s: allowed is %d, the diagram says %d", names[f],
              names[t], !want, want);
      vm = vm_in (s, n++, names[f]);
      events = nr_events (s, vm);
      error_clear ();
      r = plan_vm_set_state (s, vm, "web01", from, to, NULL, "test");
      CHECK (store_vm_get (s, vm, &row) == 0);
      if (want) {
        if (r != 0)
          FAIL ("%s -> %s refused: %s", names[f], names[t], error_message ());
        CHECK (strcmp (row.state, names[t]) == 0);
        CHECK (nr_events (s, vm) == events + 1);
        nr_allowed++;
      }
      else {
        if (r != -1)
          FAIL ("%s -> %s was written", names[f], names[t]);
        if (strstr (error_message (), names[f]) == NULL
            || strstr (error_message (), names[t]) == NULL
            || strstr (error_message (), "web01") == NULL)
          FAIL ("%s -> %s: message \"%s\"", names[f], names[t],
                error_message ());
        CHECK (strcmp (row.state, names[f]) == 0);
        CHECK (nr_events (s, vm) == events);
      }
      store_vm_free (&row);
    }
  CHECK (nr_allowed == sizeof allowed / sizeof allowed[0]);
  /* Out-of-range states are never allowed. */
  CHECK (!plan_vm_transition_allowed (PLAN_VM_NR_STATES, PLAN_VM_PENDING));
  CHECK (!plan_vm_transition_allowed (PLAN_VM_PENDING, PLAN_VM_NR_STATES));

  /* Another writer moved the VM: an allowed transition from the state this
   * writer believed in writes nothing. */
  vm = vm_in (s, n++, "copying");
  CHECK (store_vm_set_state (s, vm, "copying", "cancelled", NULL, "other")
         == 0);
  CHECK (plan_vm_set_state (s, vm, "web01", PLAN_VM_COPYING,
                            PLAN_VM_VERIFYING, NULL, "stale") == -1);
  CHECK (strstr (error_message (), "cancelled") != NULL);
  CHECK (store_vm_get (s, vm, &row) == 0);
  CHECK (strcmp (row.state, "cancelled") == 0);
  store_vm_free (&row);
  store_close (s);
  return 0;
}
