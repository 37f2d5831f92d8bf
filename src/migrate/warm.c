/* warm.c: the warm migration engine (see warm.h).
 *
 * A pass is three steps: open the source's view, copy the extents it
 * names into the target images (migrate_copy_disk on the view's disks),
 * close the view.  The cutover keeps its final view open through the
 * verification, so that the digest is taken of exactly the bytes the
 * last pass copied from, and closes it once the target runs (closing
 * ends a job and a paused process: it need not cost downtime).
 *
 * Invariant: every write of the source between two views is in the
 * second view's changes (the source's tracking guarantees it, or reports
 * a new epoch and the pass covers the whole disk); every pass copies all
 * of its changes before its mark becomes the caller's base.  So after the
 * final pass the target holds the final view, and the digest proves it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/warm.h"
#include "target/target.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/json.h"
#include "util/log.h"

/* Sleep up to seconds, waking early on a signal (util/interrupt.h). */
static int
warm_sleep (double seconds)
{
  double end = clock_now () + seconds;

  while (clock_now () < end) {
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    if (interrupt_check () == -1)
      return -1;
    nanosleep (&ts, NULL);
  }
  return 0;
}

/*----------------------------------------------------------------------
 * Passes
 */

/* What one open pass holds between its steps. */
struct warm_open_pass {
  struct change_view view;
  bool view_open;
  range_vector *todo;           /* per disk: ranges to copy */
  size_t nr_disks;
};

static void
warm_open_pass_free (struct change_source *src, struct warm_open_pass *op)
{
  if (op->view_open) {
    src->ops->view_close (src, &op->view);
    op->view_open = false;
  }
  change_view_free (&op->view);
  for (size_t i = 0; op->todo && i < op->nr_disks; i++)
    range_vector_reset (&op->todo[i]);
  free (op->todo);
  op->todo = NULL;
}

/* todo minus finished (both sorted and disjoint), into out. */
static int
warm_ranges_subtract (const range_vector *todo, const range_vector *finished,
                      uint64_t size, range_vector *out)
{
  range_vector gaps = empty_vector;
  size_t g = 0;
  int r = -1;

  if (range_remaining (finished, size, &gaps) == -1)
    goto out;
  for (size_t t = 0; t < todo->len; t++) {
    uint64_t start = todo->ptr[t].offset;
    uint64_t end = start + todo->ptr[t].length;

    while (g < gaps.len && gaps.ptr[g].offset + gaps.ptr[g].length <= start)
      g++;
    for (size_t k = g; k < gaps.len && gaps.ptr[k].offset < end; k++) {
      uint64_t a = gaps.ptr[k].offset > start ? gaps.ptr[k].offset : start;
      uint64_t b = gaps.ptr[k].offset + gaps.ptr[k].length;
      if (b > end)
        b = end;
      if (a < b
          && range_vector_append (out, (struct range) { a, b - a }) == -1)
        goto out;
    }
  }
  r = 0;
out:
  if (r == -1)
    error_set ("warm: out of memory");
  range_vector_reset (&gaps);
  return r;
}

/* Open the view and work out what to copy. */
static int
warm_pass_open (struct migration *m, struct change_source *src,
                struct warm_pass *pass, const range_vector *finished,
                const struct warm_hooks *h, struct warm_open_pass *op)
{
  const struct vm *vm = migrate_vm (m);
  bool keep_finished;

  pass->bytes_changed = pass->bytes_copied = pass->bytes_written = 0;
  pass->copy_seconds = 0;
  if (h && h->pass_start && h->pass_start (h->opaque, pass) == -1)
    return -1;
  pass->started = clock_now ();
  if (src->ops->view_open (src, pass->base, pass->mark, &op->view) == -1)
    return -1;
  op->view_open = true;
  if (op->view.nr_disks != vm->disks.len) {
    error_set ("warm: %s: the view has %zu disks, the VM %zu", vm->name,
               op->view.nr_disks, vm->disks.len);
    return -1;
  }
  pass->epoch_changed = op->view.epoch_changed;
  pass->full = pass->base == NULL || op->view.epoch_changed;
  pass->compared = pass->full && !pass->target_fresh;
  pass->adopted = op->view.adopted;
  pass->epoch = op->view.epoch;
  if (op->view.epoch_changed)
    log_warn ("warm: %s: the changes since %s cannot be trusted (tracking "
              "epoch changed): this pass compares every disk with the "
              "target and writes what differs", vm->name, pass->base);

  /* Ranges an earlier attempt finished hold this view's bytes only if it
   * is the same view, or if the source is off (nothing changes). */
  keep_finished = finished && (op->view.adopted || pass->mark == NULL);
  op->nr_disks = vm->disks.len;
  op->todo = calloc (op->nr_disks + 1, sizeof *op->todo);
  if (op->todo == NULL) {
    error_set_errno (errno, "warm: calloc");
    return -1;
  }
  for (size_t i = 0; i < op->nr_disks; i++) {
    range_vector data = empty_vector, zero = empty_vector, all = empty_vector;
    uint64_t size = op->view.disks[i]->size;
    int r;

    if (pass->full)
      r = range_vector_append (&all, (struct range) { 0, size });
    else {
      r = src->ops->view_changes (src, &op->view, i, &data, &zero);
      for (size_t k = 0; r == 0 && k < data.len; k++)
        r = range_vector_append (&all, data.ptr[k]);
      for (size_t k = 0; r == 0 && k < zero.len; k++)
        r = range_vector_append (&all, zero.ptr[k]);
      range_vector_reset (&data);
      range_vector_reset (&zero);
    }
    if (r == 0)
      range_normalize (&all);
    pass->bytes_changed += range_bytes (all.ptr, all.len);
    if (r == 0 && keep_finished)
      r = warm_ranges_subtract (&all, &finished[i], size, &op->todo[i]);
    else if (r == 0) {
      op->todo[i] = all;
      all = (range_vector) empty_vector;
    }
    range_vector_reset (&all);
    if (r == -1)
      return -1;
  }
  if (h && h->pass_begin
      && h->pass_begin (h->opaque, pass, finished && !keep_finished) == -1)
    return -1;
  return 0;
}

struct warm_disk_checkpoint {
  const struct warm_hooks *h;
  size_t i;
};

static int
warm_checkpoint (void *opaque, const struct range *done, size_t n)
{
  struct warm_disk_checkpoint *c = opaque;
  return c->h->checkpoint (c->h->opaque, c->i, done, n);
}

/* Copy what warm_pass_open decided into the target images. */
static int
warm_pass_copy (struct migration *m, const struct warm_options *o,
                struct warm_pass *pass, const struct warm_hooks *h,
                struct warm_open_pass *op)
{
  double t = clock_now ();
  int r = 0;

  migrate_use_source_disks (m, op->view.disks);
  for (size_t i = 0; r == 0 && i < op->nr_disks; i++) {
    static const struct range nothing;
    struct warm_disk_checkpoint c = { .h = h, .i = i };
    struct migrate_copy copy = {
      /* never NULL: NULL would mean the whole disk */
      .ranges = op->todo[i].len ? op->todo[i].ptr : &nothing,
      .nr_ranges = op->todo[i].len,
      .target_is_zero = pass->target_fresh,
      .compare = pass->compared,
      .checkpoint_interval = o->checkpoint_interval,
      .bandwidth = o->bandwidth,
    };
    struct copy_stats stats = { 0 };

    if (h && h->checkpoint) {
      copy.checkpoint = warm_checkpoint;
      copy.opaque = &c;
    }
    r = migrate_copy_disk (m, i, &copy, &stats);
    pass->bytes_copied += stats.bytes_read;
    pass->bytes_written += stats.bytes_written;
  }
  migrate_use_source_disks (m, NULL);
  pass->copy_seconds = clock_now () - t;
  pass->seconds = clock_now () - pass->started;
  return r;
}

int
warm_pass (struct migration *m, struct change_source *src,
           const struct warm_options *o, struct warm_pass *pass,
           const range_vector *finished, const struct warm_hooks *h)
{
  struct warm_open_pass op = { 0 };
  int r = -1;

  if (warm_pass_open (m, src, pass, finished, h, &op) == 0
      && warm_pass_copy (m, o, pass, h, &op) == 0)
    r = 0;
  if (op.view_open) {
    op.view_open = false;
    if (src->ops->view_close (src, &op.view) == -1 && r == 0)
      r = -1;
  }
  pass->epoch = NULL;           /* the view's, freed now */
  warm_open_pass_free (src, &op);
  pass->seconds = clock_now () - pass->started;
  return r;
}

/*----------------------------------------------------------------------
 * Cutover
 */

json_t *
warm_downtime_json (const struct warm_downtime *d)
{
  return json_pack ("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I}",
                    "shutdown-seconds", d->shutdown,
                    "final-sync-seconds", d->final_sync,
                    "verify-seconds", d->verify,
                    "adapt-seconds", d->adapt,
                    "define-seconds", d->define,
                    "boot-seconds", d->boot,
                    "total-seconds", d->total,
                    "verified-bytes", (json_int_t) d->verified_bytes);
}

/* Put the source back as it was: the target withdrawn, the source on.
 * The first error is kept (it says why the cutover failed). */
static void
warm_rollback (struct migration *m, struct change_source *src,
               struct warm_cutover *c)
{
  char *why = strdup (error_message ());
  bool running = false;

  if (migrate_withdraw (m) == -1)
    log_warn ("warm: rollback: %s", error_message ());
  if (src->ops->is_running (src, &running) == -1 || !running) {
    if (src->ops->power_on (src) == -1)
      log_warn ("warm: rollback: powering the source on: %s",
                error_message ());
    else
      c->rolled_back = true;
  }
  else
    c->rolled_back = true;
  error_set ("%s%s", why ? why : "cutover failed",
             c->rolled_back ? "; rolled back: the source runs again"
                            : "; the source could not be powered on again");
  free (why);
}

/* The time since *last, which becomes now: consecutive phases share
 * their boundaries, so that they add up to the total. */
static double
warm_phase (double *last)
{
  double now = clock_now (), d = now - *last;
  *last = now;
  return d;
}

/* Steps 3..7, with the source off since t_stop; the shutdown phase ended
 * at *last. */
static int
warm_cutover_offline (struct migration *m, struct change_source *src,
                      const struct warm_options *o, struct warm_cutover *c,
                      const struct warm_cutover_hooks *h, const char *base,
                      double t_stop, double *last)
{
  struct warm_downtime *dt = &c->downtime;
  struct warm_pass final = { .base = base, .mark = NULL };
  struct warm_open_pass op = { 0 };
  double boot_check = o->boot_check > 0 ? o->boot_check : WARM_BOOT_CHECK;
  int r = -1;

  /* 3: the final pass, its view kept open for 4 */
  if (warm_pass_open (m, src, &final, c->finished, &h->pass, &op) == -1
      || warm_pass_copy (m, o, &final, &h->pass, &op) == -1)
    goto out;
  if (h->final_done && h->final_done (h->opaque, &final) == -1)
    goto out;
  dt->final_sync = warm_phase (last);

  /* 4: the digest of the final view against the target's */
  migrate_use_source_disks (m, op.view.disks);
  for (size_t i = 0; i < op.nr_disks; i++)
    if (migrate_verify_disk (m, i, NULL, NULL) == -1) {
      migrate_use_source_disks (m, NULL);
      goto out;
    }
  migrate_use_source_disks (m, NULL);
  dt->verify = warm_phase (last);
  dt->verified_bytes = migrate_target_allocated (m);

  /* 5, 6, 7 */
  if (migrate_adapt (m) == -1)
    goto out;
  dt->adapt = warm_phase (last);
  if (migrate_define (m) == -1)
    goto out;
  dt->define = warm_phase (last);
  if (migrate_start (m) == -1)
    goto out;
  dt->boot = warm_phase (last);
  dt->total = *last - t_stop;

  /* The target runs: the source's last view (a paused process that never
   * ran) is closed outside the downtime. */
  op.view_open = false;
  if (src->ops->view_close (src, &op.view) == -1)
    goto out;

  /* The target must keep running a while before the cutover counts. */
  if (strcmp (migrate_target (m)->kind, "libvirt") == 0) {
    bool running = false;
    if (warm_sleep (boot_check) == -1
        || target_domain_running (migrate_target (m), &running) == -1)
      goto out;
    if (!running) {
      error_set ("warm: %s: the target domain stopped within %.0f s of its "
                 "start", migrate_target (m)->name, boot_check);
      goto out;
    }
  }
  if (json_set_new (migrate_report (m), "downtime",
                    warm_downtime_json (dt)) == -1
      || migrate_write_report (m) == -1)
    goto out;
  r = 0;
out:
  if (r == -1)
    dt->total = clock_now () - t_stop;
  warm_open_pass_free (src, &op);
  return r;
}

int
warm_cutover (struct migration *m, struct change_source *src,
              const struct warm_options *o, struct warm_cutover *c,
              const struct warm_cutover_hooks *h)
{
  double timeout = o->shutdown_timeout > 0 ? o->shutdown_timeout
                                           : WARM_SHUTDOWN_TIMEOUT;
  const char *base = c->base;
  bool running;
  double t_stop, last;

  c->rolled_back = c->forced = false;
  memset (&c->downtime, 0, sizeof c->downtime);
  if (src->ops->is_running (src, &running) == -1)
    return -1;
  if (running) {
    /* 1: catch up while the source still serves */
    struct warm_pass catchup = { .base = base, .mark = c->catchup_mark };

    if (warm_pass (m, src, o, &catchup, NULL, &h->pass) == -1
        || (h->catchup_done && h->catchup_done (h->opaque, &catchup) == -1))
      return -1;
    base = c->catchup_mark;

    /* 2: stop it */
    if (h->stopping && h->stopping (h->opaque) == -1)
      return -1;
    t_stop = clock_now ();
    if (src->ops->shutdown (src, timeout, &c->forced) == -1) {
      warm_rollback (m, src, c);
      return -1;
    }
  }
  else
    t_stop = c->stopped_at > 0 ? c->stopped_at : clock_now ();
  last = t_stop;
  c->downtime.shutdown = warm_phase (&last);

  if (warm_cutover_offline (m, src, o, c, h, base, t_stop, &last) == -1) {
    warm_rollback (m, src, c);
    return -1;
  }
  return 0;
}

/*----------------------------------------------------------------------
 * Interval and prediction
 */

double
warm_interval_auto (const struct warm_rates *r)
{
  double t;

  if (r->copy_rate <= 0)
    return WARM_INTERVAL_MIN;           /* nothing measured: look soon */
  if (r->dirty_rate <= 0)
    return WARM_INTERVAL_MAX;
  /* the delta D*t should take WARM_SYNC_TARGET seconds to copy at R */
  t = WARM_SYNC_TARGET * r->copy_rate / r->dirty_rate;
  if (t < WARM_INTERVAL_MIN)
    t = WARM_INTERVAL_MIN;
  if (t > WARM_INTERVAL_MAX)
    t = WARM_INTERVAL_MAX;
  return t;
}

double
warm_predict_downtime (const struct warm_rates *r, bool *converges)
{
  double catchup_delta, catchup, final_delta, final, verify;

  *converges = r->dirty_rate < r->copy_rate;
  if (r->copy_rate <= 0)
    return -1;
  /* The catch-up pass copies what accumulated since the last sync (half
   * an interval, on average, for a cutover asked for at any time); the
   * final pass what was written during the catch-up and the shutdown. */
  catchup_delta = r->dirty_rate * (r->view_seconds
                                   + (r->interval > 0 ? r->interval / 2
                                                      : WARM_SYNC_TARGET));
  catchup = r->view_seconds + catchup_delta / r->copy_rate;
  final_delta = r->dirty_rate * (catchup + r->shutdown_seconds);
  final = r->view_seconds + final_delta / r->copy_rate;
  verify = r->hash_rate > 0 ? r->disk_bytes / r->hash_rate : 0;
  return r->shutdown_seconds + final + verify + r->define_seconds;
}
