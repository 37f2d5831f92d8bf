/* plan_warm.c: the warm VMs of a plan — the seed, a sync at every
 * interval, the cutover when it is asked for, rollback — over the warm
 * engine (migrate/warm.h) and a running KVM guest (source/kvm.h).
 *
 * Each warm VM of a `plan run` has its own thread (plan.c starts them);
 * a copy pass (seed, sync, cutover) first takes one of the run's slots
 * (--parallel), so that no more disks are read at once than asked, while
 * a VM waiting for its next sync costs nothing.  A VM's life:
 *
 *   validating  plan_warm_open_source(): the source read, the cold rules
 *               and the warm rules (validate_warm_kvm); leftovers of a
 *               killed run cleaned (change source recover())
 *   preparing   plan_vm_prepare(): as for cold VMs
 *   syncing     plan_warm_pass(): the seed, then one sync per interval
 *               (fixed, or warm_interval_auto()); the predicted downtime
 *               after each
 *   cutting-over  plan_warm_cutover(): warm_cutover(); then done, or
 *               rolled-back (source on again), or failed
 *
 * What the store holds makes every kill resumable (docs/warm-migration.md):
 *  - a pass's row (syncs) and its mark's name are committed before the
 *    view is opened; a pass is finished, and its mark becomes the base
 *    (plan_vms.warm_base), in one transaction after every change is
 *    copied and durable; only then is the old base deleted;
 *  - the finished ranges of the running pass are recorded as a cold copy
 *    records them, and reused when the source's view is adopted (same
 *    bytes) or the source is off;
 *  - every action on the source is an intent row committed before it is
 *    done (the change source's journal);
 *  - on start, recover() ends any view of ours left open that is not to be
 *    adopted and deletes every mark of ours that the store does not name.
 * Marks are removed when the VM is done or fails; a cancelled or
 * rolled-back VM keeps its base, so that it syncs on from there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate/warm.h"
#include "target/target.h"
#include "plan/plan.h"
#include "plan/plan_internal.h"
#include "plan/store.h"
#include "preflight/validate.h"
#include "source/kvm.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/json.h"
#include "util/log.h"

/* Syncs whose dirty rates are averaged for the prediction. */
#define PLAN_WARM_RATE_SYNCS 3
/* Cutovers a prediction learns the cost of its steps from. */
#define PLAN_WARM_LEARN 10

struct plan_warm {
  struct plan_vm pv;
  struct change_source *src;
  struct kvm_facts facts;
  struct change_journal journal;
  struct warm_options wo;
  char tag[64];
  /* the pass under way */
  int64_t sync_id;              /* its row; 0 = none */
  int sync_idx;
  char *sync_mark;
  char *epoch;                  /* of its view, from pass_begin */
  bool fresh;                   /* first attempt of the seed */
  double due;                   /* next sync, epoch seconds */
  bool said_waiting;            /* the max-downtime wait is in the log */
};

/*----------------------------------------------------------------------
 * The journal: every action on the source recorded first
 */

static int
plan_warm_intent (void *opaque, const char *action, const char *object)
{
  struct plan_warm *w = opaque;
  struct store_intent in = { .vm_id = w->pv.row.id, .action = (char *) action,
                             .object = (char *) object };

  if (store_intent_add (w->pv.s, &in) == -1)
    return -1;
  log_debug ("%s: %s %s (intent %" PRId64 ")", w->pv.row.target_name,
             action, object, in.id);
  return 0;
}

/* The most recent open intent of this action on this object. */
static void
plan_warm_done (void *opaque, const char *action, const char *object,
                bool ok)
{
  struct plan_warm *w = opaque;
  store_intent_vector v = empty_vector;
  struct error_saved e;

  error_save (&e);
  if (store_intent_list (w->pv.s, w->pv.row.id, true, &v) == 0)
    for (size_t i = v.len; i-- > 0;)
      if (strcmp (v.ptr[i].action, action) == 0
          && strcmp (v.ptr[i].object, object) == 0) {
        if (store_intent_done (w->pv.s, v.ptr[i].id, ok) == -1)
          log_warn ("%s", error_message ());
        break;
      }
  store_intent_vector_free (&v);
  error_restore (&e);
}

/*----------------------------------------------------------------------
 * The source
 */

/* The marks the store knows: the base, and the mark of a pass a killed
 * run left unfinished (its view may still be open: adopted). */
static int
plan_warm_known_marks (struct plan_warm *w, const char *keep[2],
                       size_t *n, store_sync_vector *syncs)
{
  *n = 0;
  if (store_sync_list (w->pv.s, w->pv.row.id, syncs) == -1)
    return -1;
  if (w->pv.row.warm_base)
    keep[(*n)++] = w->pv.row.warm_base;
  if (syncs->len > 0 && !syncs->ptr[syncs->len - 1].finished
      && syncs->ptr[syncs->len - 1].mark)
    keep[(*n)++] = syncs->ptr[syncs->len - 1].mark;
  return 0;
}

/* validating: plan_warm_open_source() — the source read and checked,
 * what a killed run left cleaned up.  resuming_cutover: the source may
 * be off because the cutover stopped it. */
static int
plan_warm_open_source (struct plan_warm *w, enum plan_vm_state from,
                       bool resuming_cutover)
{
  struct plan_vm *pv = &w->pv;
  CLEANUP_FREE char *uri = NULL, *domain = NULL, *findings_text = NULL;
  finding_vector warm_findings = empty_vector;
  store_sync_vector syncs = empty_vector;
  const char *keep[2];
  size_t nr_keep;
  int r = -1;

  if (from == PLAN_VM_PENDING)
    r = plan_vm_enter (pv, PLAN_VM_VALIDATING, "started (warm)");
  else
    r = plan_vm_enter (pv, PLAN_VM_VALIDATING, "resumed (was %s)",
                       plan_vm_state_name (from));
  if (r == -1
      || plan_kvm_source_resolve (pv->s, pv->runner->plan->name,
                                  pv->row.source, &uri, &domain) == -1)
    return -1;
  r = -1;
  w->src = kvm_source_open (uri, domain, w->tag, &w->journal, &w->facts);
  if (w->src == NULL)
    goto out;
  /* A cutover that stopped the source resumes with it off. */
  if (resuming_cutover)
    w->facts.running = true;
  if (validate_warm_kvm (&w->facts, &warm_findings) == -1)
    goto out;
  pv->mopts.extra_findings = &warm_findings;
  if (migrate_inspect_vm (pv->m, &w->src->vm, "warm") == -1)
    goto out;
  r = migrate_validate (pv->m);
  findings_text = plan_json_text (json_object_get (migrate_report (pv->m),
                                                   "validation"));
  if (findings_text
      && store_vm_set_findings (pv->s, pv->row.id, findings_text) == -1)
    r = -1;
  if (r == -1)
    goto out;
  r = -1;
  if (plan_warm_known_marks (w, keep, &nr_keep, &syncs) == -1
      || w->src->ops->recover (w->src, keep, nr_keep) == -1)
    goto out;
  r = 0;
out:
  pv->mopts.extra_findings = NULL;
  validate_findings_free (&warm_findings);
  store_sync_vector_free (&syncs);
  return r;
}

/*----------------------------------------------------------------------
 * Passes
 */

static int
plan_warm_clear_ranges (struct plan_warm *w)
{
  for (size_t i = 0; i < w->pv.disks.len; i++)
    if (store_range_clear (w->pv.s, w->pv.disks.ptr[i].id) == -1)
      return -1;
  return 0;
}

/* The mark's name for sequence number n. */
static char *
plan_warm_mark_name (struct plan_warm *w, int64_t n)
{
  char *mark;

  if (asprintf (&mark, "ferry-%s-%" PRId64, w->tag, n) == -1) {
    error_set_errno (errno, "plan: asprintf");
    return NULL;
  }
  return mark;
}

/* pass_start: the pass's row and its mark committed before the view
 * exists — unless this is the unfinished pass being resumed. */
static int
plan_warm_pass_start (void *opaque, const struct warm_pass *pass)
{
  struct plan_warm *w = opaque;
  struct store_sync row = { .vm_id = w->pv.row.id };
  int64_t next = w->pv.row.warm_next_mark;

  if (w->sync_id != 0)
    return 0;                   /* resumed: its row exists */
  row.idx = w->sync_idx;
  row.mark = (char *) pass->mark;
  row.final = pass->mark == NULL;
  row.full = pass->base == NULL;
  row.started_at = clock_now ();
  if (pass->mark)
    next++;
  if (store_begin (w->pv.s) == -1)
    return -1;
  if (store_sync_begin (w->pv.s, &row) == -1
      || plan_warm_clear_ranges (w) == -1
      || store_vm_set_warm (w->pv.s, w->pv.row.id, w->pv.row.warm_base,
                            w->pv.row.warm_epoch, next) == -1
      || store_commit (w->pv.s) == -1) {
    store_rollback (w->pv.s);
    return -1;
  }
  w->pv.row.warm_next_mark = next;
  w->sync_id = row.id;
  return 0;
}

/* pass_begin: the view is open. */
static int
plan_warm_pass_begin (void *opaque, const struct warm_pass *pass,
                      bool restart)
{
  struct plan_warm *w = opaque;
  struct plan_vm *pv = &w->pv;
  uint64_t finished = 0;
  char msg[256];

  free (w->epoch);
  w->epoch = pass->epoch ? strdup (pass->epoch) : NULL;
  if (restart ? plan_warm_clear_ranges (w)
              : store_range_total (pv->s, pv->row.id, &finished)) 
    return -1;
  pv->bytes_total = pass->bytes_changed;
  pv->bytes_done = finished;
  pv->run_start_bytes = finished;
  pv->run_start = clock_now ();
  snprintf (msg, sizeof msg, "%s %d: %" PRIu64 " bytes %s%s%s",
            pass->mark == NULL ? "final sync" : w->sync_idx == 0 ? "seed"
            : "sync", w->sync_idx, pass->bytes_changed,
            pass->full ? "(whole disks)" : "changed",
            pass->epoch_changed ? "; the tracking epoch changed: every "
                                  "disk is compared with the target and "
                                  "what differs written" : "",
            pass->adopted ? "; the open view of the interrupted run "
                            "adopted" : restart ? "; what the interrupted "
                            "run copied is copied again (new view)" : "");
  if (store_event_add (pv->s, pv->row.id, plan_vm_state_name (pv->state),
                       msg) == -1)
    return -1;
  if (pv->runner->cb->state)
    pv->runner->cb->state (pv->runner->cb->opaque, pv->row.target_name,
                           pv->state, msg);
  return 0;
}

static int
plan_warm_checkpoint (void *opaque, size_t i, const struct range *done,
                      size_t n)
{
  struct plan_warm *w = opaque;
  struct plan_disk_copy dc = { .pv = &w->pv, .sd = &w->pv.disks.ptr[i] };
  return plan_vm_checkpoint (&dc, done, n);
}

/* The previous view's instant, for D. */
static double
plan_warm_previous_start (const store_sync_vector *syncs, int64_t id)
{
  for (size_t i = syncs->len; i-- > 0;)
    if (syncs->ptr[i].finished && syncs->ptr[i].id != id)
      return syncs->ptr[i].started_at;
  return 0;
}

/* The pass is copied: its row finished and its mark the new base, in one
 * transaction; then the old base deleted. */
static int
plan_warm_pass_done (void *opaque, const struct warm_pass *pass)
{
  struct plan_warm *w = opaque;
  struct plan_vm *pv = &w->pv;
  store_sync_vector syncs = empty_vector;
  struct store_sync row = { .id = w->sync_id, .vm_id = pv->row.id };
  CLEANUP_FREE char *old_base = NULL;
  double prev;
  int r = -1;

  if (store_sync_list (pv->s, pv->row.id, &syncs) == -1)
    return -1;
  prev = plan_warm_previous_start (&syncs, w->sync_id);
  row.idx = w->sync_idx;
  row.mark = (char *) pass->mark;
  row.full = pass->full;
  row.final = pass->mark == NULL;
  row.started_at = pass->started;
  row.seconds = pass->seconds;
  row.bytes_changed = pass->bytes_changed;
  row.bytes_copied = pass->bytes_copied;
  row.bytes_written = pass->bytes_written;
  row.compared = pass->compared;
  row.dirty_rate = !pass->full && prev > 0 && pass->started > prev
                   ? pass->bytes_changed / (pass->started - prev) : 0;
  row.copy_rate = pass->copy_seconds > 0
                  ? pass->bytes_copied / pass->copy_seconds : 0;
  row.finished = true;
  if (store_begin (pv->s) == -1)
    goto out;
  if (store_sync_finish (pv->s, &row) == -1
      || (pass->mark
          && store_vm_set_warm (pv->s, pv->row.id, pass->mark, w->epoch,
                                pv->row.warm_next_mark) == -1)
      || plan_warm_clear_ranges (w) == -1
      || store_commit (pv->s) == -1) {
    store_rollback (pv->s);
    goto out;
  }
  w->sync_id = 0;
  w->sync_idx++;
  if (pass->compared) {
    char msg[200];
    snprintf (msg, sizeof msg, "compared %" PRIu64 " bytes with the "
              "target: %" PRIu64 " bytes differed and were written",
              pass->bytes_copied, pass->bytes_written);
    if (store_event_add (pv->s, pv->row.id, plan_vm_state_name (pv->state),
                         msg) == -1)
      goto out;
  }
  if (pass->mark) {
    old_base = pv->row.warm_base;
    pv->row.warm_base = strdup (pass->mark);
    free (pv->row.warm_epoch);
    pv->row.warm_epoch = w->epoch ? strdup (w->epoch) : NULL;
    /* The old base is of no use any more: its changes are copied. */
    if (old_base && w->src->ops->mark_delete (w->src, old_base) == -1)
      log_warn ("%s: %s", pv->row.target_name, error_message ());
  }
  r = 0;
out:
  store_sync_vector_free (&syncs);
  return r;
}

/* What the newest cutovers on this store measured: the mean shutdown
 * (never more than this plan's timeout), the verification rate, and the
 * mean define + boot of targets of this kind.  What none measured stays
 * as it was (the guesses). */
static void
plan_warm_learn (struct plan_warm *w, struct warm_rates *rates)
{
  const struct plan_settings *st = &w->pv.runner->settings;
  const char *kind = migrate_target (w->pv.m)->kind;
  store_cutover_vector v = empty_vector;
  double shutdown = 0, define = 0, verify_seconds = 0, verify_bytes = 0;
  unsigned ns = 0, nd = 0;

  if (store_cutover_list (w->pv.s, PLAN_WARM_LEARN, &v) == -1) {
    log_warn ("%s: %s", w->pv.row.target_name, error_message ());
    error_clear ();
    return;
  }
  for (size_t i = 0; i < v.len; i++) {
    json_t *j = json_loads (v.ptr[i].downtime, 0, NULL);
    double vs = json_number_value (json_object_get (j, "verify-seconds"));
    double vb = json_number_value (json_object_get (j, "verified-bytes"));

    if (j == NULL)
      continue;
    shutdown += json_number_value (json_object_get (j, "shutdown-seconds"));
    ns++;
    if (vs > 0 && vb > 0) {
      verify_seconds += vs;
      verify_bytes += vb;
    }
    if (target_spec_kind_is (v.ptr[i].target, kind)) {
      define += json_number_value (json_object_get (j, "define-seconds"))
                + json_number_value (json_object_get (j, "boot-seconds"));
      nd++;
    }
    json_decref (j);
  }
  store_cutover_vector_free (&v);
  if (ns > 0) {
    rates->shutdown_seconds = shutdown / ns;
    if (st->shutdown_timeout > 0
        && rates->shutdown_seconds > st->shutdown_timeout)
      rates->shutdown_seconds = st->shutdown_timeout;
  }
  if (verify_seconds > 0)
    rates->hash_rate = verify_bytes / verify_seconds;
  if (nd > 0)
    rates->define_seconds = define / nd;
}

/* The rates of the last syncs and the prediction they give; recorded. */
static int
plan_warm_predict (struct plan_warm *w, double *predicted, bool *converges)
{
  const struct plan_settings *st = &w->pv.runner->settings;
  store_sync_vector syncs = empty_vector;
  struct warm_rates rates = { 0 };
  double copied = 0, copy_seconds = 0, view_seconds = 0;
  unsigned nd = 0, nv = 0;

  if (store_sync_list (w->pv.s, w->pv.row.id, &syncs) == -1)
    return -1;
  for (size_t i = syncs.len; i-- > 0;) {
    const struct store_sync *y = &syncs.ptr[i];
    double cs;
    if (!y->finished || y->final)
      continue;
    cs = y->copy_rate > 0 ? y->bytes_copied / y->copy_rate : 0;
    copied += y->bytes_copied;
    copy_seconds += cs;
    if (!y->full && nd < PLAN_WARM_RATE_SYNCS) {
      rates.dirty_rate += y->dirty_rate;
      view_seconds += y->seconds - cs;
      nd++;
      nv++;
    }
  }
  store_sync_vector_free (&syncs);
  if (nd > 0)
    rates.dirty_rate /= nd;
  rates.copy_rate = copy_seconds > 0 ? copied / copy_seconds : 0;
  rates.view_seconds = nv > 0 ? view_seconds / nv : 1;
  rates.disk_bytes = migrate_target_allocated (w->pv.m);
  /* Until a cutover measured it: verification reads and digests the final
   * view and the target side by side; the seed read, digested and wrote
   * the same data: verifying takes about 0.7 of that (make bench-warm:
   * 2.7-2.9 s against 3.9 s for 1.1 GiB, docs/performance.md). */
  rates.hash_rate = rates.copy_rate / WARM_VERIFY_PER_COPY;
  rates.shutdown_seconds = st->shutdown_timeout > 0
                           && st->shutdown_timeout < WARM_SHUTDOWN_GUESS
                           ? st->shutdown_timeout : WARM_SHUTDOWN_GUESS;
  /* a dir target only writes its XML */
  rates.define_seconds = strcmp (migrate_target (w->pv.m)->kind, "libvirt")
                         == 0 ? WARM_DEFINE_GUESS : 0;
  plan_warm_learn (w, &rates);
  rates.interval = st->interval > 0 ? st->interval
                                    : warm_interval_auto (&rates);
  *predicted = nd > 0 ? warm_predict_downtime (&rates, converges) : -1;
  if (nd == 0)
    *converges = true;
  w->due = clock_now () + rates.interval;
  return store_vm_set_predicted (w->pv.s, w->pv.row.id, *predicted);
}

static const struct warm_hooks *
plan_warm_hooks (struct plan_warm *w, struct warm_hooks *h)
{
  *h = (struct warm_hooks) {
    .pass_start = plan_warm_pass_start,
    .pass_begin = plan_warm_pass_begin,
    .checkpoint = plan_warm_checkpoint,
    .opaque = w,
  };
  return h;
}

/* One of the run's copy slots, waiting as long as it takes (cancel
 * points meanwhile). */
static int
plan_warm_slot_take (struct plan_warm *w)
{
  for (;;) {
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    if (sem_timedwait (&w->pv.runner->slots, &ts) == 0)
      return 0;
    if (errno != ETIMEDOUT && errno != EINTR) {
      error_set_errno (errno, "plan: waiting for a copy slot");
      return -1;
    }
    if (plan_vm_check_cancel (&w->pv) == -1)
      return -1;
  }
}

static void
plan_warm_slot_give (struct plan_warm *w)
{
  sem_post (&w->pv.runner->slots);
}

/* The finished ranges of the unfinished pass, one vector per disk. */
static range_vector *
plan_warm_finished (struct plan_warm *w)
{
  range_vector *v = calloc (w->pv.disks.len + 1, sizeof *v);

  if (v == NULL) {
    error_set_errno (errno, "plan: calloc");
    return NULL;
  }
  for (size_t i = 0; i < w->pv.disks.len; i++) {
    if (store_range_list (w->pv.s, w->pv.disks.ptr[i].id, &v[i]) == -1) {
      for (size_t k = 0; k <= i; k++)
        range_vector_reset (&v[k]);
      free (v);
      return NULL;
    }
    range_normalize (&v[i]);
  }
  return v;
}

static void
plan_warm_finished_free (struct plan_warm *w, range_vector *v)
{
  for (size_t i = 0; v && i < w->pv.disks.len; i++)
    range_vector_reset (&v[i]);
  free (v);
}

/* A seed or sync, in a copy slot: the unfinished one first if a killed
 * run left one. */
static int
plan_warm_pass (struct plan_warm *w)
{
  struct warm_hooks h;
  struct warm_pass pass = { 0 };
  range_vector *finished = NULL;
  CLEANUP_FREE char *mark = NULL;
  double predicted;
  bool converges;
  int r = -1;

  if (plan_warm_slot_take (w) == -1)
    return -1;
  if (w->sync_id != 0) {
    /* resume the pass a killed run left: same base, same mark */
    finished = plan_warm_finished (w);
    if (finished == NULL)
      goto out;
    mark = strdup (w->sync_mark);
  }
  else
    mark = plan_warm_mark_name (w, w->pv.row.warm_next_mark);
  if (mark == NULL)
    goto out;
  pass.base = w->pv.row.warm_base;
  pass.mark = mark;
  pass.target_fresh = w->fresh;
  if (warm_pass (w->pv.m, w->src, &w->wo, &pass, finished,
                 plan_warm_hooks (w, &h)) == -1
      || plan_warm_pass_done (w, &pass) == -1)
    goto out;
  w->fresh = false;
  r = plan_warm_predict (w, &predicted, &converges);
out:
  plan_warm_slot_give (w);
  plan_warm_finished_free (w, finished);
  return r;
}

/*----------------------------------------------------------------------
 * Cutover
 */

static int
plan_warm_stopping (void *opaque)
{
  struct plan_warm *w = opaque;
  return store_event_add (w->pv.s, w->pv.row.id, "cutting-over",
                          "stopping the source: the downtime begins");
}

/* When the source was stopped by an earlier process of this cutover: the
 * last shutdown intent. */
static double
plan_warm_stopped_at (struct plan_warm *w)
{
  store_intent_vector v = empty_vector;
  double at = 0;

  /* the last shutdown, unless a rollback started the source since */
  if (store_intent_list (w->pv.s, w->pv.row.id, false, &v) == 0)
    for (size_t i = v.len; i-- > 0;) {
      if (strcmp (v.ptr[i].action, "start") == 0)
        break;
      if (strcmp (v.ptr[i].action, "shutdown") == 0) {
        at = v.ptr[i].at;
        break;
      }
    }
  store_intent_vector_free (&v);
  return at;
}

/* Remove every mark of ours (the VM is done, or failed). */
static void
plan_warm_forget_marks (struct plan_warm *w)
{
  struct error_saved e;

  error_save (&e);
  if (w->src && w->src->ops->recover (w->src, NULL, 0) == 0)
    store_vm_set_warm (w->pv.s, w->pv.row.id, NULL, NULL,
                       w->pv.row.warm_next_mark);
  else
    log_warn ("%s: removing ferry's checkpoints: %s", w->pv.row.target_name,
              error_message ());
  error_restore (&e);
}

/* cutting-over: plan_warm_cutover(). */
static int
plan_warm_cutover (struct plan_warm *w)
{
  struct plan_vm *pv = &w->pv;
  struct warm_cutover_hooks h = { .stopping = plan_warm_stopping,
                                  .opaque = w };
  struct warm_cutover c = { .base = pv->row.warm_base };
  range_vector *finished = NULL;
  CLEANUP_FREE char *catchup = NULL, *downtime = NULL;
  int r = -1;

  if (pv->state != PLAN_VM_CUTTING_OVER
      && plan_vm_enter (pv, PLAN_VM_CUTTING_OVER, "cutover of %s begins",
                        pv->row.source) == -1)
    return -1;
  if (plan_warm_slot_take (w) == -1)
    return -1;
  plan_warm_hooks (w, &h.pass);
  h.catchup_done = plan_warm_pass_done;
  h.final_done = plan_warm_pass_done;
  if (w->sync_id != 0) {
    /* a killed run's pass: with the source running, finish it as a sync
     * first; with the source off, it was the final pass */
    bool running;
    if (w->src->ops->is_running (w->src, &running) == -1)
      goto out;
    if (running && w->sync_mark) {
      plan_warm_slot_give (w);
      if (plan_warm_pass (w) == -1)
        return -1;
      if (plan_warm_slot_take (w) == -1)
        return -1;
      c.base = pv->row.warm_base;
    }
    else if ((finished = plan_warm_finished (w)) == NULL)
      goto out;
  }
  catchup = plan_warm_mark_name (w, pv->row.warm_next_mark);
  if (catchup == NULL)
    goto out;
  c.catchup_mark = catchup;
  c.finished = finished;
  c.stopped_at = plan_warm_stopped_at (w);
  w->wo.shutdown_timeout = pv->runner->settings.shutdown_timeout;
  r = warm_cutover (pv->m, w->src, &w->wo, &c, &h);
  downtime = plan_json_text (warm_downtime_json (&c.downtime));
  if (downtime && (r == 0 || c.rolled_back)
      && store_vm_set_downtime (pv->s, pv->row.id, downtime) == -1)
    log_warn ("%s", error_message ());
  if (r == 0) {
    char msg[200];
    snprintf (msg, sizeof msg, "cut over, verified; downtime %.1f s%s",
              c.downtime.total,
              c.forced ? " (the source was powered off after the shutdown "
                         "timeout)" : "");
    r = plan_vm_store_report (pv, PLAN_VM_DONE, NULL, msg);
    if (r == 0)
      plan_warm_forget_marks (w);
  }
  else if (c.rolled_back) {
    struct error_saved e;
    error_save (&e);
    json_set_string (migrate_report (pv->m), "result", "rolled-back");
    json_set_string (migrate_report (pv->m), "error", e.message);
    /* the request is spent: a new cutover must be asked for */
    if (store_vm_set_cutover (pv->s, pv->row.id, 0) == -1
        || plan_vm_store_report (pv, PLAN_VM_ROLLED_BACK, e.message,
                                 e.message) == -1)
      log_warn ("%s", error_message ());
    error_restore (&e);
    r = 0;                      /* an end, not a failure of the run */
  }
out:
  plan_warm_slot_give (w);
  plan_warm_finished_free (w, finished);
  return r;
}

/* Whether the cutover is due now; with --max-downtime, only once the
 * prediction fits (otherwise it syncs again). */
static bool
plan_warm_cutover_due (struct plan_warm *w)
{
  const struct plan_settings *st = &w->pv.runner->settings;
  double at = w->pv.row.cutover_at;
  double predicted = -1;
  bool converges = true;

  if (at <= 0 || at > clock_now ())
    return false;
  if (st->max_downtime <= 0)
    return true;
  if (plan_warm_predict (w, &predicted, &converges) == -1)
    return false;
  if (predicted >= 0 && predicted <= st->max_downtime && converges)
    return true;
  if (!w->said_waiting) {
    char msg[256];
    snprintf (msg, sizeof msg, !converges
              ? "does not converge: the guest writes faster than ferry "
                "copies; not cut over automatically"
              : "predicted downtime %.1f s exceeds --max-downtime %.1f s: "
                "syncing again before the cutover", predicted,
              st->max_downtime);
    store_event_add (w->pv.s, w->pv.row.id, "syncing", msg);
    w->said_waiting = true;
  }
  w->due = clock_now ();          /* sync again at once */
  return false;
}

/* Reload what another process may change: the cutover request. */
static int
plan_warm_reload (struct plan_warm *w)
{
  struct store_vm row = { 0 };

  if (store_vm_get (w->pv.s, w->pv.row.id, &row) != 0)
    return -1;
  w->pv.row.cutover_at = row.cutover_at;
  store_vm_free (&row);
  return 0;
}

/* What the store says about passes: the unfinished one, the next index. */
static int
plan_warm_load_passes (struct plan_warm *w)
{
  store_sync_vector syncs = empty_vector;

  if (store_sync_list (w->pv.s, w->pv.row.id, &syncs) == -1)
    return -1;
  w->sync_idx = 0;
  w->sync_id = 0;
  for (size_t i = 0; i < syncs.len; i++) {
    if (syncs.ptr[i].idx >= w->sync_idx)
      w->sync_idx = syncs.ptr[i].idx + 1;
    if (!syncs.ptr[i].finished) {
      w->sync_id = syncs.ptr[i].id;
      w->sync_idx = syncs.ptr[i].idx;
      free (w->sync_mark);
      w->sync_mark = syncs.ptr[i].mark ? strdup (syncs.ptr[i].mark) : NULL;
    }
  }
  /* the first seed's target is the fresh image; once a pass began, the
   * images hold what the store relies on, ranges recorded or not */
  w->fresh = syncs.len == 0;
  w->pv.keep_targets = syncs.len > 0;
  store_sync_vector_free (&syncs);
  return 0;
}

enum plan_vm_state
plan_warm_vm_run (struct plan_runner *run, const struct store_vm *row)
{
  struct plan_warm w = { 0 };
  struct plan_vm *pv = &w.pv;
  enum plan_vm_state from;
  bool resuming_cutover;
  int r = -1;

  pv->warm = true;
  if (plan_vm_open (pv, run, row, &from) == -1)
    return PLAN_VM_FAILED;
  snprintf (w.tag, sizeof w.tag, "p%" PRId64 "v%" PRId64, pv->row.plan_id,
            pv->row.id);
  w.journal = (struct change_journal) {
    .intent = plan_warm_intent, .done = plan_warm_done, .opaque = &w,
  };
  w.wo.checkpoint_interval = run->opts->checkpoint_interval;
  w.wo.bandwidth = run->opts->bandwidth;
  w.wo.shutdown_timeout = run->settings.shutdown_timeout;
  /* A cutover is resumed when the run that made it was killed in it, or
   * in the resumed run's first steps: its shutdown intent says so. */
  resuming_cutover = from == PLAN_VM_CUTTING_OVER
                     || plan_warm_stopped_at (&w) > 0;
  pv->m = migrate_new (&pv->mopts, NULL);
  if (pv->m == NULL
      || plan_warm_open_source (&w, from, resuming_cutover) == -1
      || plan_vm_check_cancel (pv) == -1
      || plan_warm_load_passes (&w) == -1
      || plan_vm_prepare (pv) == -1
      || plan_vm_enter (pv, PLAN_VM_SYNCING, "%s", pv->row.warm_base
                        ? "syncing on from the last sync"
                        : "seeding: the first full copy") == -1)
    goto out;

  /* The seed (or the pass a killed run left), unless a cutover that
   * already stopped the source is resumed. */
  if (!resuming_cutover && (pv->row.warm_base == NULL || w.sync_id != 0)
      && plan_warm_pass (&w) == -1)
    goto out;
  for (;;) {
    if (plan_vm_check_cancel (pv) == -1 || plan_warm_reload (&w) == -1)
      goto out;
    if (resuming_cutover || plan_warm_cutover_due (&w)) {
      r = plan_warm_cutover (&w);
      goto out;
    }
    if (clock_now () >= w.due) {
      if (plan_warm_pass (&w) == -1)
        goto out;
      continue;
    }
    {
      double wait = w.due - clock_now ();
      struct timespec ts = { 0, 200 * 1000 * 1000 };
      if (wait < 0.2)
        ts.tv_nsec = wait > 0 ? (long) (wait * 1e9) : 0;
      nanosleep (&ts, NULL);
    }
  }
out:
  if (r == -1) {
    plan_vm_end (pv);
    if (pv->state == PLAN_VM_FAILED)
      plan_warm_forget_marks (&w);
  }
  if (w.src)
    w.src->ops->close (w.src);
  kvm_facts_free (&w.facts);
  free (w.sync_mark);
  free (w.epoch);
  plan_vm_close (pv);
  return pv->state;
}

/* Remove the marks of every VM of a warm plan that is about to be
 * deleted (the store will not know them any more).  A source that cannot
 * be reached is reported and skipped: the plan can still be deleted. */
int
plan_warm_forget (struct store *s, const struct store_plan *p)
{
  store_vm_vector vms = empty_vector;

  if (store_vm_list (s, p->id, &vms) == -1)
    return -1;
  for (size_t i = 0; i < vms.len; i++) {
    struct plan_warm w = { .pv = { .s = s, .row = vms.ptr[i] } };
    CLEANUP_FREE char *uri = NULL, *domain = NULL;

    if (strcmp (vms.ptr[i].state, "pending") == 0)
      continue;                 /* never touched its source */
    snprintf (w.tag, sizeof w.tag, "p%" PRId64 "v%" PRId64, p->id,
              vms.ptr[i].id);
    w.journal = (struct change_journal) {
      .intent = plan_warm_intent, .done = plan_warm_done, .opaque = &w,
    };
    if (plan_kvm_source_resolve (s, p->name, vms.ptr[i].source, &uri,
                                 &domain) == 0
        && (w.src = kvm_source_open (uri, domain, w.tag, &w.journal,
                                     &w.facts)) != NULL
        && w.src->ops->recover (w.src, NULL, 0) == 0)
      log_info ("%s: ferry's checkpoints removed from %s",
                vms.ptr[i].target_name, vms.ptr[i].source);
    else
      log_warn ("%s: ferry's checkpoints on %s could not be removed: %s",
                vms.ptr[i].target_name, vms.ptr[i].source, error_message ());
    if (w.src)
      w.src->ops->close (w.src);
    kvm_facts_free (&w.facts);
  }
  store_vm_vector_free (&vms);
  return 0;
}
