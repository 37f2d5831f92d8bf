/* plan_view.c: what `plan list` and `plan show` print: the JSON view of
 * plans, their VMs, disks and recent events, built from the store.
 *
 * Read-only: must never write to the store, take a plan's runner lock (it
 * only tests whether a run holds it) or move a VM's state.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plan/plan.h"
#include "plan/plan_internal.h"
#include "plan/store.h"
#include "util/error.h"

/*----------------------------------------------------------------------
 * list, show
 */

static json_t *
plan_time_json (double t)
{
  char buf[64];
  struct tm tm;
  time_t sec = (time_t) t;

  if (t <= 0)
    return json_null ();
  gmtime_r (&sec, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string (buf);
}

/* The live runner (its record), null when the plan's lock is free; NULL
 * with the error set when the lock cannot be tested. */
static json_t *
plan_runner_json (struct store *s, const struct store_plan *p)
{
  int locked = store_plan_locked (s, p->id);

  if (locked == -1)
    return NULL;
  if (locked == 0)
    return json_null ();
  return json_pack ("{s:I, s:s?, s:o}", "pid", (json_int_t) p->runner_pid,
                    "host", p->runner_host,
                    "since", plan_time_json (p->runner_since));
}

json_t *
plan_list_json (struct store *s)
{
  store_plan_vector plans = empty_vector;
  json_t *out = json_array ();

  if (out == NULL || store_plan_list (s, &plans) == -1)
    goto fail;
  for (size_t i = 0; i < plans.len; i++) {
    const struct store_plan *p = &plans.ptr[i];
    store_vm_vector vms = empty_vector;
    json_t *states = json_object (), *entry;
    uint64_t total = 0, done = 0;

    if (states == NULL || store_vm_list (s, p->id, &vms) == -1) {
      json_decref (states);
      store_vm_vector_free (&vms);
      goto fail;
    }
    for (size_t k = 0; k < vms.len; k++) {
      json_t *n = json_object_get (states, vms.ptr[k].state);
      json_object_set_new (states, vms.ptr[k].state,
                           json_integer (json_integer_value (n) + 1));
      total += vms.ptr[k].bytes_total;
      done += vms.ptr[k].bytes_done;
    }
    entry = json_pack ("{s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:I, s:o, s:I,"
                       " s:I}",
                       "name", p->name, "target", p->target,
                       "format", p->format, "mode", p->mode,
                       "created", plan_time_json (p->created_at),
                       "runner", plan_runner_json (s, p),
                       "cancel-requested", p->cancel_requested,
                       "vms", (json_int_t) vms.len, "states", states,
                       "bytes-total", (json_int_t) total,
                       "bytes-done", (json_int_t) done);
    store_vm_vector_free (&vms);
    if (entry == NULL || json_array_append_new (out, entry) == -1)
      goto fail;
  }
  store_plan_vector_free (&plans);
  return out;
fail:
  if (error_message ()[0] == '\0')
    error_set ("plan: out of memory");
  store_plan_vector_free (&plans);
  json_decref (out);
  return NULL;
}

static json_t *
plan_text_json (const char *text)
{
  json_t *j;

  if (text == NULL)
    return json_null ();
  j = json_loads (text, 0, NULL);
  return j ? j : json_string (text);
}

/* The copy passes of a warm VM (none for a cold one); NULL with the
 * error set. */
static json_t *
plan_syncs_json (struct store *s, int64_t vm_id)
{
  store_sync_vector syncs = empty_vector;
  json_t *a;

  if (store_sync_list (s, vm_id, &syncs) == -1)
    return NULL;
  a = json_array ();
  for (size_t i = 0; a && i < syncs.len; i++) {
    const struct store_sync *y = &syncs.ptr[i];
    if (json_array_append_new (a, json_pack (
          "{s:i, s:s?, s:o, s:f, s:I, s:I, s:I, s:f, s:f, s:b, s:b, s:b, s:b}",
          "index", y->idx, "mark", y->mark,
          "started", plan_time_json (y->started_at),
          "seconds", y->seconds,
          "bytes-changed", (json_int_t) y->bytes_changed,
          "bytes-copied", (json_int_t) y->bytes_copied,
          "bytes-written", (json_int_t) y->bytes_written,
          "dirty-rate", y->dirty_rate, "copy-rate", y->copy_rate,
          "full", y->full, "compared", y->compared, "final", y->final,
          "finished", y->finished)) == -1) {
      json_decref (a);
      a = NULL;
    }
  }
  store_sync_vector_free (&syncs);
  return a;
}

static json_t *
plan_vm_json (struct store *s, const struct store_vm *v, const char *mode,
              unsigned nevents)
{
  store_disk_vector disks = empty_vector;
  store_event_vector events = empty_vector;
  json_t *o = NULL, *jd, *je, *warm;
  enum plan_vm_state st = PLAN_VM_PENDING;
  double eta = -1;

  if (store_disk_list (s, v->id, &disks) == -1
      || store_event_list (s, v->id, nevents, &events) == -1)
    goto out;
  plan_vm_state_parse (v->state, &st);
  if (st == PLAN_VM_COPYING && v->rate > 0 && v->bytes_total >= v->bytes_done)
    eta = (v->bytes_total - v->bytes_done) / v->rate;
  jd = json_array ();
  for (size_t i = 0; jd && i < disks.len; i++) {
    const struct store_disk *d = &disks.ptr[i];
    range_vector ranges = empty_vector;
    uint64_t finished;
    bool verified = d->source_digest && d->target_digest
      && strcmp (d->source_digest, d->target_digest) == 0;

    if (store_range_list (s, d->id, &ranges) == -1) {
      json_decref (jd);
      goto out;
    }
    range_normalize (&ranges);
    finished = range_bytes (ranges.ptr, ranges.len);
    json_array_append_new (jd, json_pack (
      "{s:i, s:s, s:s?, s:I, s:I, s:I, s:i, s:{s:I, s:I}, s:s?, s:s?, s:b}",
      "index", d->idx, "source", d->source_path, "target", d->target_path,
      "size", (json_int_t) d->size, "finished-bytes", (json_int_t) finished,
      "finished-ranges", (json_int_t) ranges.len,
      "copy-runs", (int) d->copy_runs,
      "last-copy", "resumed-bytes", (json_int_t) d->last_resumed_bytes,
      "copied-bytes", (json_int_t) d->last_copied_bytes,
      "source-digest", d->source_digest, "target-digest", d->target_digest,
      "verified", verified));
    range_vector_reset (&ranges);
  }
  je = json_array ();
  for (size_t i = 0; je && i < events.len; i++)
    json_array_append_new (je, json_pack ("{s:o, s:s, s:s}",
                                          "at", plan_time_json (events.ptr[i].at),
                                          "state", events.ptr[i].state,
                                          "message", events.ptr[i].message));
  o = json_pack ("{s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:f, s:o, s:o, s:o,"
                 " s:o, s:o, s:s?, s:o, s:o, s:o}",
                 "name", v->target_name, "source-vm", v->vm_name,
                 "source", v->source, "state", v->state, "error", v->error,
                 "bytes-total", (json_int_t) v->bytes_total,
                 "bytes-done", (json_int_t) v->bytes_done,
                 "rate", v->rate,
                 "eta-seconds", eta >= 0 ? json_integer ((json_int_t) eta)
                                         : json_null (),
                 "started", plan_time_json (v->started_at),
                 "finished", plan_time_json (v->finished_at),
                 "updated", plan_time_json (v->updated_at),
                 "findings", plan_text_json (v->findings),
                 "domain-xml", v->xml_path,
                 "disks", jd ? jd : json_null (),
                 "events", je ? je : json_null (),
                 "report", plan_text_json (v->report));
  if (o == NULL)
    goto out;
  /* Warm migration: the passes, the predicted and measured downtime. */
  warm = json_pack ("{s:s, s:o, s:o, s:o, s:o}", "mode", mode,
                    "syncs", plan_syncs_json (s, v->id),
                    "predicted-downtime-seconds",
                    v->predicted_downtime >= 0
                    ? json_real (v->predicted_downtime) : json_null (),
                    "cutover-at", plan_time_json (v->cutover_at),
                    "downtime", plan_text_json (v->downtime));
  if (warm == NULL || json_object_update (o, warm) == -1) {
    json_decref (o);
    o = NULL;
  }
  json_decref (warm);
out:
  if (o == NULL && error_message ()[0] == '\0')
    error_set ("plan: out of memory");
  store_disk_vector_free (&disks);
  store_event_vector_free (&events);
  return o;
}

json_t *
plan_show_json (struct store *s, const char *name, unsigned nevents)
{
  struct store_plan p = { 0 };
  store_vm_vector vms = empty_vector;
  json_t *out = NULL, *jv, *options;

  error_clear ();
  if (plan_get (s, name, &p) == -1)
    return NULL;
  if (store_vm_list (s, p.id, &vms) == -1)
    goto out;
  jv = json_array ();
  for (size_t i = 0; jv && i < vms.len; i++) {
    json_t *v = plan_vm_json (s, &vms.ptr[i], p.mode, nevents);
    if (v == NULL) {
      json_decref (jv);
      goto out;
    }
    json_array_append_new (jv, v);
  }
  options = plan_text_json (p.options);
  out = json_pack ("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:o}",
                   "name", p.name, "target", p.target, "format", p.format,
                   "mode", p.mode,
                   "options", options, "created", plan_time_json (p.created_at),
                   "runner", plan_runner_json (s, &p),
                   "cancel-requested", p.cancel_requested,
                   "vms", jv ? jv : json_null ());
  if (out == NULL && error_message ()[0] == '\0')
    error_set ("plan: out of memory");
out:
  store_vm_vector_free (&vms);
  store_plan_free (&p);
  return out;
}
