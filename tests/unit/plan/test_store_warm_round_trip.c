/* test_store_warm_round_trip: what the store keeps about a warm VM comes
 * back as written: a new VM has no marks, next mark 1, no prediction (-1)
 * and no downtime; marks, cutover time, prediction and downtime phases
 * round trip; syncs are listed by index with their figures, a sync a
 * crash cut short is deleted by store_sync_delete_unfinished and the
 * finished ones stay, an index is never recorded twice; intents are open
 * until done, listed oldest first, and done records ok; a plan's mode
 * defaults to cold; unknown rows are errors; a copy's rate is kept through
 * syncing and cutting-over, and rolled-back ends a run (finished_at);
 * the cutovers listed to learn from are those of VMs that are done. */
#include "plantest.h"

int
main (void)
{
  struct store *s;
  int64_t vm;
  struct store_vm v;
  struct store_plan p = { .name = (char *) "w", .target = (char *) "dir:/x",
                          .format = (char *) "qcow2",
                          .mode = (char *) "warm" };
  struct store_sync seed = { .idx = 0, .mark = (char *) "ferry-w-1",
                             .full = true, .started_at = 1000.5 };
  struct store_sync sync1 = { .idx = 1, .mark = (char *) "ferry-w-2" };
  struct store_sync cut = { .idx = 2, .mark = NULL, .final = true };
  store_sync_vector syncs = empty_vector;
  struct store_intent a = { .action = (char *) "checkpoint-create",
                            .object = (char *) "ferry-w-1" };
  struct store_intent b = { .action = (char *) "shutdown",
                            .object = (char *) "web01" };
  store_intent_vector intents = empty_vector;
  const char *phases = "{\"shutdown-seconds\":12.5,\"total-seconds\":40}";

  test_init (false);
  s = pt_open ("ferry.db");
  pt_make_plan (s, "cold", 1 << 20, &vm, NULL);

  /* Plans: mode given, and the cold default. */
  CHECK (store_plan_create (s, &p) == 0);
  {
    struct store_plan got;
    CHECK (store_plan_get (s, "w", &got) == 0);
    CHECK (strcmp (got.mode, "warm") == 0);
    store_plan_free (&got);
    CHECK (store_plan_get (s, "cold", &got) == 0);
    CHECK (strcmp (got.mode, "cold") == 0);
    store_plan_free (&got);
  }
  p.name = (char *) "bad";
  p.mode = (char *) "live";
  CHECK (store_plan_create (s, &p) == -1);

  /* A new VM's warm columns. */
  CHECK (store_vm_get (s, vm, &v) == 0);
  CHECK (v.warm_base == NULL && v.warm_epoch == NULL && v.downtime == NULL);
  CHECK (v.warm_next_mark == 1 && v.predicted_downtime == -1);
  CHECK (v.cutover_at == 0);
  store_vm_free (&v);

  CHECK (store_vm_set_warm (s, vm, "ferry-w-2", "epoch-a", 3) == 0);
  CHECK (store_vm_set_cutover (s, vm, 1800000000.25) == 0);
  CHECK (store_vm_set_predicted (s, vm, 42.5) == 0);
  CHECK (store_vm_set_downtime (s, vm, phases) == 0);
  CHECK (store_vm_get (s, vm, &v) == 0);
  CHECK (strcmp (v.warm_base, "ferry-w-2") == 0);
  CHECK (strcmp (v.warm_epoch, "epoch-a") == 0);
  CHECK (v.warm_next_mark == 3);
  CHECK (v.cutover_at == 1800000000.25);
  CHECK (v.predicted_downtime == 42.5);
  CHECK (strcmp (v.downtime, phases) == 0);
  store_vm_free (&v);
  CHECK (store_vm_set_cutover (s, vm, 0) == 0);
  CHECK (store_vm_get (s, vm, &v) == 0 && v.cutover_at == 0);
  store_vm_free (&v);
  CHECK (store_vm_set_warm (s, vm + 100, "m", "e", 2) == -1);
  CHECK (strstr (error_message (), "does not exist") != NULL);
  CHECK (store_vm_set_cutover (s, vm + 100, 1) == -1);
  CHECK (store_vm_set_downtime (s, vm + 100, "{}") == -1);

  /* A copy's rate stays while the VM syncs and cuts over; a rollback ends
   * the run (finished_at) like done, failed and cancelled. */
  CHECK (store_vm_set_state (s, vm, "pending", "syncing", NULL, "seed") == 0);
  CHECK (store_vm_set_progress (s, vm, 1 << 20, 4096, 5e6) == 0);
  CHECK (store_vm_set_state (s, vm, "syncing", "cutting-over", NULL, "cut")
         == 0);
  CHECK (store_vm_get (s, vm, &v) == 0);
  CHECK (v.rate == 5e6 && v.finished_at == 0);
  store_vm_free (&v);
  CHECK (store_vm_set_state (s, vm, "cutting-over", "rolled-back", NULL,
                             "target did not boot") == 0);
  CHECK (store_vm_get (s, vm, &v) == 0);
  CHECK (v.rate == 0 && v.finished_at > 0);
  store_vm_free (&v);

  /* Syncs. */
  seed.vm_id = sync1.vm_id = cut.vm_id = vm;
  CHECK (store_sync_begin (s, &seed) == 0 && seed.id > 0);
  CHECK (seed.started_at == 1000.5);
  seed.seconds = 60;
  seed.bytes_changed = 1 << 20;
  seed.bytes_copied = 3 << 19;
  seed.dirty_rate = 100.5;
  seed.copy_rate = 26214.4;
  CHECK (store_sync_finish (s, &seed) == 0);
  CHECK (store_sync_begin (s, &sync1) == 0 && sync1.started_at > 0);
  sync1.seconds = 2.5;
  sync1.bytes_changed = sync1.bytes_copied = 4096;
  sync1.bytes_written = 512;
  sync1.full = sync1.compared = true;
  CHECK (store_sync_finish (s, &sync1) == 0);
  CHECK (store_sync_begin (s, &cut) == 0);     /* killed before its end */
  {
    struct store_sync again = { .vm_id = vm, .idx = 1 };
    CHECK (store_sync_begin (s, &again) == -1);
    CHECK (strstr (error_message (), "already has a sync 1") != NULL);
  }
  CHECK (store_sync_list (s, vm, &syncs) == 0);
  CHECK (syncs.len == 3);
  CHECK (syncs.ptr[0].idx == 0 && syncs.ptr[1].idx == 1
         && syncs.ptr[2].idx == 2);
  CHECK (strcmp (syncs.ptr[0].mark, "ferry-w-1") == 0);
  CHECK (syncs.ptr[0].full && !syncs.ptr[0].final && syncs.ptr[0].finished);
  CHECK (syncs.ptr[0].started_at == 1000.5 && syncs.ptr[0].seconds == 60);
  CHECK (syncs.ptr[0].bytes_changed == 1 << 20);
  CHECK (syncs.ptr[0].bytes_copied == 3 << 19);
  CHECK (syncs.ptr[0].dirty_rate == 100.5);
  CHECK (syncs.ptr[0].copy_rate == 26214.4);
  CHECK (syncs.ptr[0].bytes_written == 0 && !syncs.ptr[0].compared);
  CHECK (syncs.ptr[1].full && syncs.ptr[1].compared);
  CHECK (syncs.ptr[1].bytes_copied == 4096);
  CHECK (syncs.ptr[1].bytes_written == 512);
  CHECK (syncs.ptr[2].mark == NULL && syncs.ptr[2].final);
  CHECK (!syncs.ptr[2].finished && syncs.ptr[2].seconds == 0);
  store_sync_vector_free (&syncs);
  CHECK (store_sync_delete_unfinished (s, vm) == 0);
  CHECK (store_sync_list (s, vm, &syncs) == 0);
  CHECK (syncs.len == 2 && syncs.ptr[0].finished && syncs.ptr[1].finished);
  store_sync_vector_free (&syncs);
  /* the deleted pass starts again under its index */
  cut.id = 0;
  CHECK (store_sync_begin (s, &cut) == 0);
  cut.id += 100;
  CHECK (store_sync_finish (s, &cut) == -1);
  CHECK (strstr (error_message (), "does not exist") != NULL);

  /* Intents. */
  a.vm_id = b.vm_id = vm;
  CHECK (store_intent_add (s, &a) == 0 && a.id > 0 && a.at > 0);
  CHECK (store_intent_add (s, &b) == 0 && b.id > a.id);
  CHECK (store_intent_list (s, vm, true, &intents) == 0 && intents.len == 2);
  CHECK (strcmp (intents.ptr[0].action, "checkpoint-create") == 0);
  CHECK (strcmp (intents.ptr[0].object, "ferry-w-1") == 0);
  CHECK (intents.ptr[0].done_at == 0 && !intents.ptr[0].ok);
  CHECK (strcmp (intents.ptr[1].action, "shutdown") == 0);
  store_intent_vector_free (&intents);
  CHECK (store_intent_done (s, a.id, true) == 0);
  CHECK (store_intent_done (s, b.id, false) == 0);
  CHECK (store_intent_list (s, vm, true, &intents) == 0 && intents.len == 0);
  CHECK (store_intent_list (s, vm, false, &intents) == 0);
  CHECK (intents.len == 2);
  CHECK (intents.ptr[0].done_at >= intents.ptr[0].at && intents.ptr[0].ok);
  CHECK (intents.ptr[1].done_at > 0 && !intents.ptr[1].ok);
  store_intent_vector_free (&intents);
  CHECK (store_intent_done (s, b.id + 100, true) == -1);
  CHECK (strstr (error_message (), "does not exist") != NULL);

  /* Cutovers a prediction learns from: only those of VMs that are done,
   * with their plan's target. */
  {
    store_cutover_vector cv = empty_vector;
    CHECK (store_cutover_list (s, 10, &cv) == 0 && cv.len == 0);
    CHECK (store_vm_set_state (s, vm, "rolled-back", "done", NULL,
                               "cut over") == 0);
    CHECK (store_cutover_list (s, 10, &cv) == 0 && cv.len == 1);
    CHECK (strcmp (cv.ptr[0].downtime, phases) == 0);
    CHECK (strcmp (cv.ptr[0].target, "dir:/x") == 0);
    store_cutover_vector_free (&cv);
    CHECK (store_cutover_list (s, 0, &cv) == 0 && cv.len == 0);
  }

  store_close (s);
  return 0;
}
