/* test_store_delete_cascades: deleting a plan deletes its VMs, disks,
 * ranges, events, syncs and intents (foreign keys are on); an unknown
 * state is refused. */
#include "plantest.h"

int
main (void)
{
  struct store *s;
  int64_t plan, vm, disk;
  range_vector r = empty_vector;
  store_event_vector ev = empty_vector;
  store_disk_vector disks = empty_vector;
  store_sync_vector syncs = empty_vector;
  store_intent_vector intents = empty_vector;
  struct store_sync y = { 0 };
  struct store_intent in = { .action = (char *) "checkpoint-create",
                             .object = (char *) "ferry-wave-1" };
  struct store_vm v;

  test_init (false);
  s = pt_open ("ferry.db");
  plan = pt_make_plan (s, "wave", 1 << 30, &vm, &disk);
  CHECK (store_range_add (s, disk, 0, 1 << 20) == 0);
  y.vm_id = in.vm_id = vm;
  CHECK (store_sync_begin (s, &y) == 0);
  CHECK (store_intent_add (s, &in) == 0);
  CHECK (store_sync_list (s, vm, &syncs) == 0 && syncs.len == 1);
  CHECK (store_intent_list (s, vm, false, &intents) == 0
         && intents.len == 1);
  store_sync_vector_free (&syncs);
  store_intent_vector_free (&intents);
  CHECK (store_vm_set_state (s, vm, "pending", "validating", NULL, "started")
         == 0);
  CHECK (store_vm_set_state (s, vm, "validating", "bogus", NULL,
                             "no such state") == -1);
  CHECK (store_event_list (s, vm, 0, &ev) == 0);
  CHECK (ev.len == 1 && strcmp (ev.ptr[0].state, "validating") == 0);
  store_event_vector_free (&ev);

  CHECK (store_plan_delete (s, plan) == 0);
  CHECK (store_vm_get (s, vm, &v) == 1);
  CHECK (store_disk_list (s, vm, &disks) == 0 && disks.len == 0);
  CHECK (store_range_list (s, disk, &r) == 0 && r.len == 0);
  CHECK (store_event_list (s, vm, 0, &ev) == 0 && ev.len == 0);
  CHECK (store_sync_list (s, vm, &syncs) == 0 && syncs.len == 0);
  CHECK (store_intent_list (s, vm, false, &intents) == 0
         && intents.len == 0);
  /* a sync or an intent cannot point at a VM that does not exist */
  CHECK (store_sync_begin (s, &y) == -1);
  CHECK (store_intent_add (s, &in) == -1);
  /* a VM cannot point at a plan that does not exist */
  {
    struct store_vm orphan = { .plan_id = plan, .source = (char *) "x",
                               .vm_name = (char *) "x",
                               .target_name = (char *) "x",
                               .state = (char *) "pending" };
    CHECK (store_vm_add (s, &orphan) == -1);
  }
  store_disk_vector_free (&disks);
  store_event_vector_free (&ev);
  range_vector_reset (&r);
  store_close (s);
  return 0;
}
