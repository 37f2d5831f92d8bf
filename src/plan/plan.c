/* plan.c: the per-VM state machine of a migration plan and what drives
 * it: `plan run` (the runner and its lock), plan cancel and plan delete;
 * see plan.h.  plan_create.c makes a plan, plan_view.c shows it.
 *
 * The state of one VM of a plan (plan_vms.state), and the function that
 * makes each transition:
 *
 *                plan_create()
 *                     |
 *                     v
 *                 +-------+  plan_vm_run(): a run picks the VM up
 *                 |pending|----------------------------------+
 *                 +-------+                                  |
 *                                                            v
 *   plan_vm_run() on resume: any active state,  +--------------------+
 *   cancelled, or failed (--retry) -----------> |    validating      | plan_vm_validate()
 *                                               +--------------------+
 *                                                   | plan_vm_prepare()
 *                                                   v
 *                                               +--------------------+
 *                                               |    preparing       | names decided or
 *                                               +--------------------+ reloaded; images made
 *                      warm plans (plan_warm.c)     | plan_vm_copy()
 *               +-----------------------------------+ cold plans
 *               v                                   v
 *        +--------------+                       +--------------------+
 *        |   syncing    | seed, then syncs      |    copying         | unfinished ranges only;
 *        +--------------+ (not a state change)  +--------------------+ checkpoints
 *               |                                   | plan_vm_verify()
 *               |                                   v
 *               |                               +--------------------+
 *               |                               |    verifying       | digests of full source
 *               |                               +--------------------+ and full target
 *               |                                   | plan_vm_adapt()
 *               |                                   v
 *               |                               +--------------------+
 *               |                               |    adapting        |
 *               |                               +--------------------+
 *               |                                   | plan_vm_define()
 *               |                                   v
 *               |                               +--------------------+
 *               |                               |    defining        |
 *               |                               +--------------------+
 *               | cutover due                       | plan_vm_finish(): report written
 *               v                                   v
 *        +--------------+  booted, verified     +--------------------+
 *        | cutting-over |---------------------->|    done            | terminal
 *        +--------------+                       +--------------------+
 *               | target failed, source on again
 *               v
 *        +--------------+
 *        | rolled-back  |---> validating: a later run resumes syncing
 *        +--------------+
 *
 *   any active state --error--> failed     plan_vm_end()
 *   any active state --cancel-> cancelled  plan_vm_end(), after a
 *                                          checkpoint saw the request
 *   pending / active --cancel-> cancelled  plan_cancel(), when no live
 *                                          run holds the plan
 *
 * Enforced: plan_vm_transitions[][] below holds exactly these edges, and
 * plan_vm_set_state(), the only writer of a VM's state, refuses any other
 * transition (and a VM that another process moved meanwhile): a wrong
 * transition is an error, never a silent write.
 *
 * The warm edges (preparing -> syncing -> cutting-over -> done or
 * rolled-back) are taken by plan_warm.c; cutting-over -> cancelled is
 * allowed here, and the warm code takes it only before the source was
 * stopped.
 *
 * Active = validating .. defining, syncing, cutting-over.  A VM found in
 * an active state by a new run was interrupted (killed, machine crash):
 * the run resumes it.  Resuming re-enters validating (the source is read
 * and checked again: it may have changed while nothing watched it) and
 * every later step skips
 * what the store says is done:
 *   preparing  takes the names recorded by the first prepare; a disk the
 *              store marks as this plan's (target_created) is reused, not
 *              re-created; a file there that is not the plan's is refused;
 *   copying    copies only the ranges not recorded as finished, with
 *              target_is_zero = false (they may hold partial data);
 *   verifying  always digests the whole source and the whole target, so a
 *              resumed copy is proven exactly like an uninterrupted one.
 *
 * Durability of a finished range (the resume protocol): the mover hands a
 * batch of finished work ranges to plan_vm_checkpoint() only after
 * disk_flush() of the target returned (data, then refcounts, L2, L1 for
 * qcow2; fdatasync for raw); plan_vm_checkpoint() records the whole batch
 * in one transaction (synchronous=FULL).  So a range in the store is
 * always on disk; a range on disk but not yet in the store is copied again.
 *
 * Disk ownership: before a target image is created, the store records
 * that the plan owns its path (target_created = 1), then the image is
 * made under a temporary name and renamed into place only if nothing is
 * there (target_create_disk: never over someone else's file, never a torn
 * image at the path).  A crash between the two leaves a claim without a
 * file: the next run creates it.  A claimed image with no finished range
 * recorded holds nothing the store relies on: it is made again.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "copy/hash.h"
#include "migrate/migrate.h"
#include "plan/plan.h"
#include "plan/plan_internal.h"
#include "plan/store.h"
#include "source/source.h"
#include "target/target.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/json.h"
#include "util/log.h"

static const char *const plan_state_names[PLAN_VM_NR_STATES] = {
  "pending", "validating", "preparing", "copying", "verifying", "adapting",
  "defining", "syncing", "cutting-over", "done", "failed", "cancelled",
  "rolled-back",
};

const char *
plan_vm_state_name (enum plan_vm_state state)
{
  return (unsigned) state < PLAN_VM_NR_STATES ? plan_state_names[state] : "?";
}

int
plan_vm_state_parse (const char *name, enum plan_vm_state *out)
{
  for (unsigned i = 0; i < PLAN_VM_NR_STATES; i++)
    if (strcmp (name, plan_state_names[i]) == 0) {
      *out = i;
      return 0;
    }
  error_set ("plan: unknown VM state \"%s\"", name);
  return -1;
}

bool
plan_vm_state_is_active (enum plan_vm_state state)
{
  return state >= PLAN_VM_VALIDATING && state <= PLAN_VM_CUTTING_OVER;
}

/* The diagram above as a table: plan_vm_transitions[from][to].  Every
 * write of a VM's state goes through plan_vm_set_state(), which refuses
 * any other transition.  Resume (active, cancelled, failed -> validating)
 * includes validating itself: a run killed while validating. */
#define PLAN_VM_END_OR_RESUME                                            \
  [PLAN_VM_VALIDATING] = true, [PLAN_VM_FAILED] = true,                  \
  [PLAN_VM_CANCELLED] = true
static const bool plan_vm_transitions[PLAN_VM_NR_STATES][PLAN_VM_NR_STATES] = {
  [PLAN_VM_PENDING] = { [PLAN_VM_VALIDATING] = true,
                        [PLAN_VM_CANCELLED] = true },
  [PLAN_VM_VALIDATING] = { PLAN_VM_END_OR_RESUME,
                           [PLAN_VM_PREPARING] = true },
  [PLAN_VM_PREPARING] = { PLAN_VM_END_OR_RESUME, [PLAN_VM_COPYING] = true,
                          [PLAN_VM_SYNCING] = true },
  [PLAN_VM_COPYING] = { PLAN_VM_END_OR_RESUME, [PLAN_VM_VERIFYING] = true },
  [PLAN_VM_VERIFYING] = { PLAN_VM_END_OR_RESUME, [PLAN_VM_ADAPTING] = true },
  [PLAN_VM_ADAPTING] = { PLAN_VM_END_OR_RESUME, [PLAN_VM_DEFINING] = true },
  [PLAN_VM_DEFINING] = { PLAN_VM_END_OR_RESUME, [PLAN_VM_DONE] = true },
  [PLAN_VM_SYNCING] = { PLAN_VM_END_OR_RESUME,
                        [PLAN_VM_CUTTING_OVER] = true },
  [PLAN_VM_CUTTING_OVER] = { PLAN_VM_END_OR_RESUME, [PLAN_VM_DONE] = true,
                             [PLAN_VM_ROLLED_BACK] = true },
  [PLAN_VM_DONE] = { false },
  [PLAN_VM_FAILED] = { [PLAN_VM_VALIDATING] = true },
  [PLAN_VM_CANCELLED] = { [PLAN_VM_VALIDATING] = true },
  [PLAN_VM_ROLLED_BACK] = { [PLAN_VM_VALIDATING] = true },
};

bool
plan_vm_transition_allowed (enum plan_vm_state from, enum plan_vm_state to)
{
  return (unsigned) from < PLAN_VM_NR_STATES
    && (unsigned) to < PLAN_VM_NR_STATES && plan_vm_transitions[from][to];
}

int
plan_vm_set_state (struct store *s, int64_t vm_id, const char *vm,
                   enum plan_vm_state from, enum plan_vm_state to,
                   const char *error, const char *message)
{
  if (!plan_vm_transition_allowed (from, to)) {
    error_set ("plan: %s: the state machine forbids %s -> %s (state not "
               "changed)", vm, plan_vm_state_name (from),
               plan_vm_state_name (to));
    return -1;
  }
  return store_vm_set_state (s, vm_id, plan_vm_state_name (from),
                             plan_vm_state_name (to), error, message);
}

/*----------------------------------------------------------------------
 * The runner lock: one live `plan run` per plan
 */

static void
plan_hostname (char *buf, size_t len)
{
  if (gethostname (buf, len) == -1)
    snprintf (buf, len, "localhost");
  buf[len - 1] = '\0';
}

/* Who runs the plan, for messages: "process 123 on kvm01 since
 * 2026-12-03T12:00:00Z", from the runner record (the lock itself says only
 * that somebody holds it). */
static void
plan_runner_describe (const struct store_plan *p, char *buf, size_t len)
{
  char since[64] = "?";
  time_t sec = (time_t) p->runner_since;
  struct tm tm;

  if (p->runner_pid <= 0) {
    snprintf (buf, len, "another process (it has not recorded itself yet)");
    return;
  }
  if (sec > 0 && gmtime_r (&sec, &tm))
    strftime (since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf (buf, len, "process %" PRId64 " on %s since %s", p->runner_pid,
            p->runner_host ? p->runner_host : "?", since);
}

int
plan_get (struct store *s, const char *name, struct store_plan *p)
{
  int r = store_plan_get (s, name, p);

  if (r == 1) {
    error_set ("plan \"%s\" does not exist (in %s)", name, store_path (s));
    return -1;
  }
  return r;
}

/* Take the plan for this process: its runner lock, then the runner
 * record, clearing an old cancel request.  In one transaction, so that
 * plan_cancel() and plan_delete() (which look at the lock in theirs) see
 * either no runner or a runner with its record. */
static int
plan_lock_take (struct store *s, const char *name, struct store_plan *p)
{
  char host[256], holder[512];
  bool locked = false;
  int r;

  plan_hostname (host, sizeof host);
  if (store_begin (s) == -1)
    return -1;
  if (plan_get (s, name, p) == -1)
    goto fail;
  r = store_plan_lock (s, p->id);
  if (r == -1)
    goto fail;
  if (r == 1) {
    plan_runner_describe (p, holder, sizeof holder);
    error_set ("plan %s is being run by %s; wait for it, or cancel it with "
               "'ferry plan cancel'", name, holder);
    goto fail;
  }
  locked = true;
  if (store_plan_set_runner (s, p->id, getpid (), host) == -1
      || store_plan_set_cancel (s, p->id, false) == -1
      || store_commit (s) == -1)
    goto fail;
  return 0;
fail:
  store_rollback (s);
  if (locked)
    store_plan_unlock (s, p->id);
  return -1;
}

/* The record first: once the lock is free, another run may write its own. */
static void
plan_lock_release (struct store *s, int64_t plan_id)
{
  if (store_plan_set_runner (s, plan_id, 0, NULL) == -1)
    log_warn ("%s", error_message ());
  store_plan_unlock (s, plan_id);
}

/*----------------------------------------------------------------------
 * One VM through the state machine
 */

/* Record a transition (state + event, one transaction) and report it. */
int
plan_vm_enter (struct plan_vm *pv, enum plan_vm_state state,
               const char *fmt, ...)
{
  char message[512];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (message, sizeof message, fmt, ap);
  va_end (ap);
  if (plan_vm_set_state (pv->s, pv->row.id, pv->row.target_name, pv->state,
                         state, NULL, message) == -1)
    return -1;
  pv->state = state;
  if (pv->runner->cb->state)
    pv->runner->cb->state (pv->runner->cb->opaque, pv->row.target_name,
                           state, message);
  return 0;
}

/* A cancel point: `plan cancel` (the request in the store) or SIGINT /
 * SIGTERM (util/interrupt.h) stop the VM here, cancelled and resumable. */
int
plan_vm_check_cancel (struct plan_vm *pv)
{
  bool requested;

  if (interrupt_check () == -1) {
    pv->cancelled = true;
    error_prefix ("%s: in state %s", pv->row.target_name,
                  plan_vm_state_name (pv->state));
    return -1;
  }
  if (store_plan_get_cancel (pv->s, pv->row.plan_id, &requested) == -1)
    return -1;
  if (requested) {
    pv->cancelled = true;
    error_set ("%s: cancelled in state %s", pv->row.target_name,
               plan_vm_state_name (pv->state));
    return -1;
  }
  return 0;
}

/* validating: plan_vm_validate() — read the source again, run the rules. */
static int
plan_vm_validate (struct plan_vm *pv, enum plan_vm_state from)
{
  char *findings;
  int r;

  if (from == PLAN_VM_PENDING)
    r = plan_vm_enter (pv, PLAN_VM_VALIDATING, "started");
  else
    r = plan_vm_enter (pv, PLAN_VM_VALIDATING, "resumed (was %s)",
                       plan_vm_state_name (from));
  if (r == -1)
    return -1;
  if (migrate_inspect (pv->m) == -1)
    return -1;
  r = migrate_validate (pv->m);
  findings = plan_json_text (json_object_get (migrate_report (pv->m),
                                              "validation"));
  if (findings) {
    if (store_vm_set_findings (pv->s, pv->row.id, findings) == -1) {
      free (findings);
      return -1;
    }
    free (findings);
  }
  return r;
}

/* The store's disks must be the source's disks: same count, same paths,
 * same sizes; otherwise the source changed under the plan. */
static int
plan_vm_check_disks (struct plan_vm *pv)
{
  const struct vm *vm = migrate_vm (pv->m);

  if (store_disk_list (pv->s, pv->row.id, &pv->disks) == -1)
    return -1;
  if (pv->disks.len != vm->disks.len) {
    error_set ("%s: the source has %zu disk(s), the plan recorded %zu: the "
               "source changed since the plan was created", pv->row.vm_name,
               vm->disks.len, pv->disks.len);
    return -1;
  }
  pv->bytes_total = 0;
  for (size_t i = 0; i < vm->disks.len; i++) {
    struct store_disk *sd = &pv->disks.ptr[i];
    struct disk *d;
    uint64_t size;

    if (strcmp (sd->source_path, vm->disks.ptr[i].path) != 0) {
      error_set ("%s: disk %zu is now %s, the plan recorded %s: the source "
                 "changed", pv->row.vm_name, i, vm->disks.ptr[i].path,
                 sd->source_path);
      return -1;
    }
    /* A warm source's model has the sizes (its images are in use). */
    if (pv->warm)
      size = vm->disks.ptr[i].capacity;
    else {
      d = source_disk_open (&vm->disks.ptr[i]);
      if (d == NULL)
        return -1;
      size = d->size;
      disk_close (d);
    }
    if (sd->size != size) {
      if (sd->copy_runs > 0) {
        error_set ("%s: disk %zu (%s) is now %" PRIu64 " bytes, the "
                   "interrupted copy was of %" PRIu64 ": the source changed",
                   pv->row.vm_name, i, sd->source_path, size, sd->size);
        return -1;
      }
      sd->size = size;          /* not copied yet: take the real size */
    }
    pv->bytes_total += sd->size;
  }
  return 0;
}

static bool
plan_file_exists (const char *path)
{
  struct stat st;
  return lstat (path, &st) == 0;
}

/* preparing: plan_vm_prepare() — decide (first run) or reload (resume)
 * the target's names; create the images the plan does not have yet. */
int
plan_vm_prepare (struct plan_vm *pv)
{
  const struct target *t;
  bool first = true;

  if (plan_vm_enter (pv, PLAN_VM_PREPARING, "%s", pv->mopts.target) == -1
      || plan_vm_check_disks (pv) == -1)
    return -1;
  for (size_t i = 0; i < pv->disks.len; i++)
    if (pv->disks.ptr[i].target_path)
      first = false;

  if (first || pv->row.xml_path == NULL) {
    /* The target refuses any name that exists. */
    if (migrate_prepare (pv->m) == -1)
      return -1;
    t = migrate_target (pv->m);
    if (store_begin (pv->s) == -1)
      return -1;
    for (size_t i = 0; i < pv->disks.len; i++) {
      if (store_disk_set_target (pv->s, pv->disks.ptr[i].id,
                                 t->disk_paths[i], false) == -1)
        goto rollback;
    }
    if (store_vm_set_paths (pv->s, pv->row.id, t->xml_path, t->report_path)
        == -1
        || store_vm_set_progress (pv->s, pv->row.id, pv->bytes_total, 0, 0)
           == -1)
      goto rollback;
    if (store_commit (pv->s) == -1)
      return -1;
    for (size_t i = 0; i < pv->disks.len; i++) {
      free (pv->disks.ptr[i].target_path);
      pv->disks.ptr[i].target_path = strdup (t->disk_paths[i]);
      if (pv->disks.ptr[i].target_path == NULL) {
        error_set_errno (errno, "plan: strdup");
        return -1;
      }
    }
  }
  else {
    CLEANUP_FREE char **paths = calloc (pv->disks.len + 1, sizeof *paths);
    if (paths == NULL) {
      error_set_errno (errno, "plan: calloc");
      return -1;
    }
    for (size_t i = 0; i < pv->disks.len; i++) {
      if (pv->disks.ptr[i].target_path == NULL) {
        error_set ("%s: disk %zu has no target name recorded",
                   pv->row.vm_name, i);
        return -1;
      }
      paths[i] = pv->disks.ptr[i].target_path;
    }
    if (migrate_prepare_resume (pv->m, paths, pv->disks.len,
                                pv->row.xml_path, pv->row.report_path) == -1)
      return -1;
  }

  /* Make each image the plan does not have yet. */
  for (size_t i = 0; i < pv->disks.len; i++) {
    struct store_disk *sd = &pv->disks.ptr[i];

    if (sd->target_created) {
      bool exists = plan_file_exists (sd->target_path);
      range_vector finished = empty_vector;
      bool recorded;

      if (store_range_list (pv->s, sd->id, &finished) == -1)
        return -1;
      recorded = finished.len > 0;
      range_vector_reset (&finished);
      if (exists && (recorded || pv->keep_targets))
        continue;               /* ours, with finished ranges: reused */
      /* Missing (the run died before creating it, or someone removed it),
       * or holding nothing the store relies on (no finished range: a copy
       * that never checkpointed, or an image from a ferry that did not
       * create atomically, possibly empty or torn): made afresh. */
      if (exists && unlink (sd->target_path) == -1) {
        error_set_errno (errno, "target: removing %s (of plan %s, no range "
                         "recorded) to create it again", sd->target_path,
                         pv->runner->plan->name);
        return -1;
      }
      if (store_range_clear (pv->s, sd->id) == -1)
        return -1;
      if ((sd->copy_runs > 0 || exists)
          && store_event_add (pv->s, pv->row.id, "preparing", exists
                              ? "a target disk of the plan had no finished "
                                "range: creating it again"
                              : "a target disk of the plan was missing: "
                                "copying it again from the start") == -1)
        return -1;
      sd->copy_runs = 0;
    }
    else if (plan_file_exists (sd->target_path)) {
      error_set ("target: %s already exists and was not created by plan "
                 "%s; ferry never overwrites a target (remove it, or "
                 "choose another directory)", sd->target_path,
                 pv->runner->plan->name);
      return -1;
    }
    else if (store_disk_set_target (pv->s, sd->id, sd->target_path, true)
             == -1)
      return -1;
    sd->target_created = true;
    if (migrate_create_disk (pv->m, i) == -1) {
      /* O_EXCL lost a race: the file is someone else's. */
      if (error_errno () == EEXIST) {
        struct error_saved e;
        error_save (&e);
        store_disk_set_target (pv->s, sd->id, sd->target_path, false);
        error_restore (&e);
      }
      return -1;
    }
  }
  return 0;
rollback:
  store_rollback (pv->s);
  return -1;
}

/* Called by the mover with a batch of durable finished ranges of disk
 * dc->sd (see copy.h): recorded in one transaction, then the cancel
 * request is looked at. */
int
plan_vm_checkpoint (void *opaque, const struct range *done, size_t n)
{
  struct plan_disk_copy *dc = opaque;
  struct plan_vm *pv = dc->pv;
  uint64_t bytes = range_bytes (done, n);
  double elapsed = clock_now () - pv->run_start, rate;

  pv->bytes_done += bytes;
  rate = elapsed > 0 ? (pv->bytes_done - pv->run_start_bytes) / elapsed : 0;
  if (store_begin (pv->s) == -1)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (store_range_add (pv->s, dc->sd->id, done[i].offset, done[i].length)
        == -1)
      goto fail;
  if (store_vm_set_progress (pv->s, pv->row.id, pv->bytes_total,
                             pv->bytes_done, rate) == -1
      || store_commit (pv->s) == -1)
    goto fail;
  if (pv->runner->cb->progress)
    pv->runner->cb->progress (pv->runner->cb->opaque, pv->row.target_name,
                              pv->bytes_done, pv->bytes_total, rate);
  return plan_vm_check_cancel (pv);
fail:
  store_rollback (pv->s);
  pv->bytes_done -= bytes;
  return -1;
}

/* copying: plan_vm_copy() — every disk, only what is not finished. */
static int
plan_vm_copy (struct plan_vm *pv)
{
  uint64_t finished_total = 0;

  /* What is durable already, over all disks. */
  for (size_t i = 0; i < pv->disks.len; i++) {
    range_vector finished = empty_vector;
    if (store_range_list (pv->s, pv->disks.ptr[i].id, &finished) == -1)
      return -1;
    range_normalize (&finished);
    finished_total += range_bytes (finished.ptr, finished.len);
    range_vector_reset (&finished);
  }
  if (plan_vm_enter (pv, PLAN_VM_COPYING, "%" PRIu64 " of %" PRIu64
                     " bytes already copied", finished_total,
                     pv->bytes_total) == -1)
    return -1;
  pv->bytes_done = finished_total;
  pv->run_start_bytes = finished_total;
  pv->run_start = clock_now ();

  for (size_t i = 0; i < pv->disks.len; i++) {
    struct store_disk *sd = &pv->disks.ptr[i];
    range_vector finished = empty_vector, todo = empty_vector;
    struct plan_disk_copy dc = { .pv = pv, .sd = sd };
    struct migrate_copy mc = {
      .checkpoint = plan_vm_checkpoint, .opaque = &dc,
      .checkpoint_interval = pv->runner->opts->checkpoint_interval,
      .bandwidth = pv->runner->opts->bandwidth,
    };
    uint64_t done_bytes, todo_bytes;
    char msg[200];
    int r;

    if (store_range_list (pv->s, sd->id, &finished) == -1
        || range_remaining (&finished, sd->size, &todo) == -1) {
      range_vector_reset (&finished);
      range_vector_reset (&todo);
      return -1;
    }
    range_normalize (&finished);
    done_bytes = range_bytes (finished.ptr, finished.len);
    todo_bytes = range_bytes (todo.ptr, todo.len);
    range_vector_reset (&finished);
    if (todo.len == 0) {
      range_vector_reset (&todo);
      continue;
    }
    /* A target that never saw a copy is the fresh image: it reads as
     * zeros.  After any copy run, unfinished ranges may hold anything. */
    mc.ranges = todo.ptr;
    mc.nr_ranges = todo.len;
    mc.target_is_zero = sd->copy_runs == 0;
    /* Durable before the first write: a later run must know the target
     * is no longer all zeros. */
    snprintf (msg, sizeof msg, "disk %d: copying %" PRIu64 " of %" PRIu64
              " bytes (%" PRIu64 " finished before)", sd->idx, todo_bytes,
              sd->size, done_bytes);
    r = store_disk_set_copy_run (pv->s, sd->id, done_bytes, todo_bytes);
    if (r == 0)
      r = store_event_add (pv->s, pv->row.id, "copying", msg);
    if (r == 0) {
      if (pv->runner->cb->state)
        pv->runner->cb->state (pv->runner->cb->opaque, pv->row.target_name,
                               PLAN_VM_COPYING, msg);
      sd->copy_runs++;
      r = migrate_copy_disk (pv->m, (size_t) sd->idx, &mc, NULL);
    }
    range_vector_reset (&todo);
    if (r == -1)
      return -1;
  }
  return plan_vm_check_cancel (pv);
}

/* verifying: plan_vm_verify() — digests of the full source and target. */
static int
plan_vm_verify (struct plan_vm *pv)
{
  if (plan_vm_enter (pv, PLAN_VM_VERIFYING, "%zu disk(s)", pv->disks.len)
      == -1
      || store_vm_set_progress (pv->s, pv->row.id, pv->bytes_total,
                                pv->bytes_total, 0) == -1)
    return -1;
  for (size_t i = 0; i < pv->disks.len; i++) {
    char src_hex[HASH_HEX_SIZE] = "", dst_hex[HASH_HEX_SIZE] = "";
    int r = migrate_verify_disk (pv->m, i, src_hex, dst_hex);

    /* Record the digests also when they differ: the evidence. */
    if (src_hex[0] && dst_hex[0]) {
      struct error_saved e;
      error_save (&e);
      if (store_disk_set_digests (pv->s, pv->disks.ptr[i].id, src_hex,
                                  dst_hex) == -1)
        return -1;
      error_restore (&e);
    }
    if (r == -1)
      return -1;
    if (plan_vm_check_cancel (pv) == -1)
      return -1;
  }
  return 0;
}

/* adapting: plan_vm_adapt(). */
static int
plan_vm_adapt (struct plan_vm *pv)
{
  if (plan_vm_enter (pv, PLAN_VM_ADAPTING, "guest adaptation is not "
                     "implemented yet: skipped") == -1)
    return -1;
  return migrate_adapt (pv->m);
}

/* defining: plan_vm_define() — the domain on the target. */
static int
plan_vm_define (struct plan_vm *pv)
{
  if (plan_vm_enter (pv, PLAN_VM_DEFINING, "%s",
                     migrate_target (pv->m)->xml_path) == -1)
    return -1;
  return migrate_define (pv->m);
}

/* The report into the store and the last transition, in one
 * transaction. */
int
plan_vm_store_report (struct plan_vm *pv, enum plan_vm_state to,
                      const char *error, const char *message)
{
  char *report;
  int r;

  report = plan_json_text (migrate_report (pv->m));
  if (report == NULL)
    return -1;
  if (store_begin (pv->s) == -1) {
    free (report);
    return -1;
  }
  r = store_vm_set_report (pv->s, pv->row.id, report);
  free (report);
  if (r == -1
      || plan_vm_set_state (pv->s, pv->row.id, pv->row.target_name,
                            pv->state, to, error, message) == -1
      || store_commit (pv->s) == -1) {
    store_rollback (pv->s);
    return -1;
  }
  pv->state = to;
  if (pv->runner->cb->state)
    pv->runner->cb->state (pv->runner->cb->opaque, pv->row.target_name, to,
                           message);
  return 0;
}

/* done: plan_vm_finish() — the report, in the target and in the store. */
static int
plan_vm_finish (struct plan_vm *pv)
{
  if (migrate_write_report (pv->m) == -1)
    return -1;
  return plan_vm_store_report (pv, PLAN_VM_DONE, NULL,
                               "migrated and verified");
}

/* failed / cancelled: plan_vm_end().  The target files stay: a later run
 * resumes from them. */
void
plan_vm_end (struct plan_vm *pv)
{
  struct error_saved e;
  enum plan_vm_state end;
  const char *msg;

  /* The mover and the digest stop on a signal by themselves (failing
   * with "interrupted by SIG..."): that is a cancel too. */
  if (interrupt_signal () != 0)
    pv->cancelled = true;
  end = pv->cancelled ? PLAN_VM_CANCELLED : PLAN_VM_FAILED;

  error_save (&e);
  msg = e.message[0] ? e.message : "unknown error";
  if (plan_vm_set_state (pv->s, pv->row.id, pv->row.target_name, pv->state,
                         end, pv->cancelled ? NULL : msg, msg) == -1)
    log_warn ("%s", error_message ());
  else
    pv->state = end;
  if (pv->runner->cb->state)
    pv->runner->cb->state (pv->runner->cb->opaque, pv->row.target_name, end,
                           msg);
  error_restore (&e);
}

/* A VM's own store handle, its row and its migration, for the thread
 * that runs it; from = its state when picked up.  -1: nothing to run
 * (logged). */
int
plan_vm_open (struct plan_vm *pv, struct plan_runner *run,
              const struct store_vm *row, enum plan_vm_state *from)
{
  pv->runner = run;
  pv->s = store_open (run->opts->db_path);
  if (pv->s == NULL) {
    log_message (LOG_ERROR, "%s", error_message ());
    return -1;
  }
  if (store_vm_get (pv->s, row->id, &pv->row) != 0
      || plan_vm_state_parse (pv->row.state, from) == -1) {
    log_message (LOG_ERROR, "%s", error_message ());
    store_close (pv->s);
    pv->s = NULL;
    return -1;
  }
  pv->state = *from;
  pv->mopts = run->base;
  pv->mopts.source = pv->row.source;
  pv->mopts.name = pv->row.target_name;
  return 0;
}

void
plan_vm_close (struct plan_vm *pv)
{
  migrate_free (pv->m);
  store_disk_vector_free (&pv->disks);
  store_vm_free (&pv->row);
  store_close (pv->s);
}

/* Run one cold VM from wherever it is to done, failed or cancelled. */
static enum plan_vm_state
plan_vm_run (struct plan_runner *run, const struct store_vm *row)
{
  struct plan_vm pv = { 0 };
  enum plan_vm_state from;
  int r = -1;

  if (plan_vm_open (&pv, run, row, &from) == -1)
    return PLAN_VM_FAILED;
  pv.m = migrate_new (&pv.mopts, NULL);
  if (pv.m == NULL
      || plan_vm_validate (&pv, from) == -1
      || plan_vm_check_cancel (&pv) == -1
      || plan_vm_prepare (&pv) == -1 || plan_vm_check_cancel (&pv) == -1
      || plan_vm_copy (&pv) == -1
      || plan_vm_verify (&pv) == -1
      || plan_vm_adapt (&pv) == -1 || plan_vm_check_cancel (&pv) == -1
      || plan_vm_define (&pv) == -1
      || plan_vm_finish (&pv) == -1)
    goto out;
  r = 0;
out:
  if (r == -1)
    plan_vm_end (&pv);
  plan_vm_close (&pv);
  return pv.state;
}

static bool
plan_runner_next (struct plan_runner *run, size_t *index)
{
  bool found = false;

  pthread_mutex_lock (&run->lock);
  if (!run->stop && interrupt_signal () == 0 && run->next < run->nr_queue) {
    *index = run->next++;
    found = true;
  }
  pthread_mutex_unlock (&run->lock);
  return found;
}

static void *
plan_runner_thread (void *arg)
{
  struct plan_runner *run = arg;
  size_t i;

  while (plan_runner_next (run, &i)) {
    enum plan_vm_state end = run->warm
                             ? plan_warm_vm_run (run, &run->queue[i])
                             : plan_vm_run (run, &run->queue[i]);
    pthread_mutex_lock (&run->lock);
    switch (end) {
    case PLAN_VM_DONE: run->result.done++; break;
    case PLAN_VM_CANCELLED: run->result.cancelled++; run->stop = true; break;
    case PLAN_VM_ROLLED_BACK: run->result.rolled_back++; break;
    default: run->result.failed++; break;
    }
    pthread_mutex_unlock (&run->lock);
  }
  return NULL;
}

int
plan_run (const struct plan_run_options *opts,
          const struct plan_callbacks *cb, struct plan_run_result *result)
{
  static const struct plan_callbacks no_callbacks = { 0 };
  struct plan_runner run = { .opts = opts, .cb = cb ? cb : &no_callbacks };
  struct store_plan plan = { 0 };
  store_vm_vector vms = empty_vector;
  struct store *s;
  pthread_t threads[256];
  unsigned nthreads, started = 0;
  bool holds_lock = false, cancel = false;
  int r = -1;

  memset (result, 0, sizeof *result);
  s = store_open (opts->db_path);
  if (s == NULL)
    return -1;
  if (plan_lock_take (s, opts->name, &plan) == -1)
    goto out;
  holds_lock = true;
  run.plan = &plan;
  if (plan_settings_parse (plan.options, &run.settings) == -1)
    goto out;
  run.base.target = plan.target;
  run.base.format = plan.format;
  run.base.networks = run.settings.has_networks ? &run.settings.networks
                                                : NULL;
  run.base.storage = run.settings.has_storage ? &run.settings.storage : NULL;
  run.base.compat = run.settings.compat;
  run.base.domain_type = run.settings.tcg ? "qemu" : NULL;
  run.base.workers = opts->workers;

  if (store_vm_list (s, plan.id, &vms) == -1)
    goto out;
  run.queue = calloc (vms.len + 1, sizeof *run.queue);
  if (run.queue == NULL) {
    error_set_errno (errno, "plan: calloc");
    goto out;
  }
  for (size_t i = 0; i < vms.len; i++) {
    enum plan_vm_state st;
    if (plan_vm_state_parse (vms.ptr[i].state, &st) == -1)
      goto out;
    if (st == PLAN_VM_DONE || (st == PLAN_VM_FAILED && !opts->retry)) {
      if (st == PLAN_VM_DONE)
        result->done++;
      else
        result->skipped++;
      continue;
    }
    run.queue[run.nr_queue++] = vms.ptr[i];
  }

  pthread_mutex_init (&run.lock, NULL);
  nthreads = opts->parallel ? opts->parallel : 1;
  /* Warm VMs wait between syncs: each has a thread, and --parallel
   * limits the copy passes at a time instead (plan_warm.c). */
  run.warm = plan.mode && strcmp (plan.mode, "warm") == 0;
  if (sem_init (&run.slots, 0, nthreads) == -1) {
    error_set_errno (errno, "plan: sem_init");
    goto out;
  }
  if (run.warm)
    nthreads = run.nr_queue;
  if (nthreads > sizeof threads / sizeof threads[0])
    nthreads = sizeof threads / sizeof threads[0];
  if (nthreads > run.nr_queue)
    nthreads = run.nr_queue;
  for (unsigned i = 0; i < nthreads; i++) {
    int e = pthread_create (&threads[i], NULL, plan_runner_thread, &run);
    if (e != 0) {
      log_warn ("plan: starting runner thread %u: %s", i, strerror (e));
      break;
    }
    started++;
  }
  if (started == 0 && run.nr_queue > 0)
    plan_runner_thread (&run);
  for (unsigned i = 0; i < started; i++)
    pthread_join (threads[i], NULL);
  pthread_mutex_destroy (&run.lock);
  sem_destroy (&run.slots);

  /* VMs a cancel or a signal kept from starting. */
  if (store_plan_get_cancel (s, plan.id, &cancel) == -1)
    goto out;
  cancel |= interrupt_signal () != 0;
  for (size_t i = run.next; cancel && i < run.nr_queue; i++) {
    enum plan_vm_state st;
    if (plan_vm_state_parse (run.queue[i].state, &st) == -1)
      goto out;
    if (st == PLAN_VM_FAILED) {     /* --retry, not retried: still failed */
      run.result.failed++;
      continue;
    }
    if (st != PLAN_VM_CANCELLED
        && plan_vm_set_state (s, run.queue[i].id, run.queue[i].target_name,
                              st, PLAN_VM_CANCELLED, NULL,
                              "cancelled before it started") == -1)
      goto out;
    run.result.cancelled++;
    if (run.cb->state)
      run.cb->state (run.cb->opaque, run.queue[i].target_name,
                     PLAN_VM_CANCELLED, "cancelled before it started");
  }
  result->done += run.result.done;
  result->failed += run.result.failed;
  result->cancelled += run.result.cancelled;
  result->rolled_back += run.result.rolled_back;
  r = 0;
out:
  if (holds_lock) {
    struct error_saved e;
    error_save (&e);
    plan_lock_release (s, plan.id);
    error_restore (&e);
  }
  free (run.queue);
  if (run.plan)
    plan_settings_free (&run.settings);
  store_vm_vector_free (&vms);
  store_plan_free (&plan);
  store_close (s);
  return r;
}

/*----------------------------------------------------------------------
 * cancel, delete
 */

int
plan_cancel (struct store *s, const char *name, bool *running)
{
  struct store_plan p = { 0 };
  store_vm_vector vms = empty_vector;
  int r = -1;

  *running = false;
  if (store_begin (s) == -1)
    return -1;
  if (plan_get (s, name, &p) == -1)
    goto fail;
  switch (store_plan_locked (s, p.id)) {
  case -1:
    goto fail;
  case 1:
    *running = true;
    if (store_plan_set_cancel (s, p.id, true) == -1)
      goto fail;
    break;
  default:
    if (store_vm_list (s, p.id, &vms) == -1)
      goto fail;
    for (size_t i = 0; i < vms.len; i++) {
      enum plan_vm_state st;
      char msg[128];
      if (plan_vm_state_parse (vms.ptr[i].state, &st) == -1)
        goto fail;
      if (st != PLAN_VM_PENDING && !plan_vm_state_is_active (st))
        continue;
      snprintf (msg, sizeof msg, "cancelled in state %s (no run was "
                "active)", vms.ptr[i].state);
      if (plan_vm_set_state (s, vms.ptr[i].id, vms.ptr[i].target_name, st,
                             PLAN_VM_CANCELLED, NULL, msg) == -1)
        goto fail;
    }
    break;
  }
  r = store_commit (s);
  goto out;
fail:
  store_rollback (s);
out:
  store_vm_vector_free (&vms);
  store_plan_free (&p);
  return r;
}

int
plan_delete (struct store *s, const char *name)
{
  struct store_plan p = { 0 };

  if (store_begin (s) == -1)
    return -1;
  if (plan_get (s, name, &p) == -1)
    goto fail;
  switch (store_plan_locked (s, p.id)) {
  case -1:
    goto fail;
  case 1: {
    char holder[512];
    plan_runner_describe (&p, holder, sizeof holder);
    error_set ("plan %s is being run by %s; cancel it first ('ferry plan "
               "cancel %s')", name, holder, name);
    goto fail;
  }
  }
  /* A warm plan's checkpoints go first, outside the transaction (they
   * talk to the hosts); a run that starts meanwhile is refused below. */
  if (p.mode && strcmp (p.mode, "warm") == 0) {
    store_rollback (s);
    if (plan_warm_forget (s, &p) == -1 || store_begin (s) == -1)
      goto out;
    if (store_plan_locked (s, p.id) != 0) {
      error_set ("plan %s: a run started while it was being deleted", name);
      goto fail;
    }
  }
  if (store_plan_delete (s, p.id) == -1)
    goto fail;
  store_plan_free (&p);
  return store_commit (s);
fail:
  store_rollback (s);
out:
  store_plan_free (&p);
  return -1;
}
