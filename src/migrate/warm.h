/* warm.h: the warm migration engine — copy a VM while it runs, then only
 * what changed, then a short cutover whose downtime is measured, with a
 * rollback that powers the source on again.
 *
 * The engine works on one VM: a change source (source/change.h) and a
 * migration (migrate.h) that holds the target.  It keeps no state between
 * calls: the caller (plan/plan_warm.c) records what a pass or a cutover
 * did through the hooks, so that a process killed anywhere can be started
 * again and go on.  The sequence, and the function of each step:
 *
 *   seed      warm_pass(base NULL, mark M1): the whole first view
 *   sync k    warm_pass(base Mk, mark Mk+1): the extents written since
 *             view k; zeroed and trimmed extents become zeros in the
 *             target.  A changed tracking epoch makes it a full pass.
 *   cutover   warm_cutover():
 *               1 catch-up  a pass while the source still runs
 *               2 shutdown  graceful, then hard after shutdown_timeout;
 *                           the source confirmed off        } downtime
 *               3 final     a pass with no new mark (source off)   |
 *               4 verify    digest of the final view = target's     |
 *               5 adapt     (guest adaptation; recorded as skipped) |
 *               6 define    the target domain written               |
 *               7 boot      started (libvirt targets), running      v
 *             then the final view closed, outside the downtime
 *             A failure in 3..7 rolls back: the target withdrawn (its
 *             disks kept), the source powered on, *rolled_back set.
 *
 * Library code: reports through hooks and the migration's callbacks,
 * never prints.  Must never: write to the source other than through the
 * change source (which journals every action first); tell anyone the
 * cutover is done before the target's digest equals the final view's.
 */
#ifndef FERRY_MIGRATE_WARM_H
#define FERRY_MIGRATE_WARM_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "migrate/migrate.h"
#include "source/change.h"
#include "util/range.h"

struct warm_options {
  double shutdown_timeout;      /* seconds; 0 = WARM_SHUTDOWN_TIMEOUT */
  double boot_check;            /* seconds a started target must keep
                                   running; 0 = WARM_BOOT_CHECK */
  double checkpoint_interval;   /* as copy_options; 0 = default */
  uint64_t bandwidth;           /* bytes/s read per disk; 0 = no limit */
};

#define WARM_SHUTDOWN_TIMEOUT 300.0
#define WARM_BOOT_CHECK 5.0

/* One copy pass: a view opened, its changes copied, the view closed. */
struct warm_pass {
  /* in */
  const char *base;             /* NULL = seed (full view) */
  const char *mark;             /* NULL = final pass (source off) */
  bool target_fresh;            /* the target images read as zeros (a
                                   first seed): zeros need no writing */
  /* out, valid from the begin hook on */
  bool full;                    /* the whole view copied (seed, or the
                                   epoch changed) */
  bool compared;                /* full, into a target holding an earlier
                                   copy: only blocks that differ written */
  bool epoch_changed;
  bool adopted;                 /* an open view of an earlier process */
  const char *epoch;            /* borrowed from the view */
  uint64_t bytes_changed;       /* data + zero extents the source named */
  /* out, after the pass */
  uint64_t bytes_copied;        /* data read from the source */
  uint64_t bytes_written;       /* data written to the target */
  double started;               /* epoch seconds: the view's instant */
  double seconds;
  double copy_seconds;          /* of which copying (the rest: views) */
};

struct warm_hooks {
  /* About to open the view (pass->base, ->mark): the last moment to
   * record the mark's name before it exists.  -1 stops. */
  int (*pass_start) (void *opaque, const struct warm_pass *pass);
  /* The view is open and its changes known; nothing copied yet.
   * restart: ranges an earlier attempt of this pass finished are void
   * (the view is not the one they came from): forget them.  -1 stops
   * the pass (error set). */
  int (*pass_begin) (void *opaque, const struct warm_pass *pass,
                     bool restart);
  /* Durable finished ranges of disk i in this pass (copy.h's contract);
   * -1 stops the copy — the way to cancel. */
  int (*checkpoint) (void *opaque, size_t i, const struct range *done,
                     size_t n);
  void *opaque;
};

/* Run one pass.  finished (NULL, or one vector per disk): ranges an
 * interrupted attempt of the same pass made durable; they are not copied
 * again when the view is adopted, or when the source is off (its bytes
 * cannot have changed).  The epoch (pass->epoch) is valid only in the
 * hooks called while the view is open.  0, or -1 with the error set (the view closed;
 * the target holds part of the pass: run it again). */
int warm_pass (struct migration *m, struct change_source *src,
               const struct warm_options *o, struct warm_pass *pass,
               const range_vector *finished, const struct warm_hooks *h);

/* The measured phases of a cutover, seconds.  They add up to total: from
 * the moment the source stopped serving to the moment the target runs. */
struct warm_downtime {
  double shutdown, final_sync, verify, adapt, define, boot, total;
  uint64_t verified_bytes;      /* what verify read: the target images'
                                   allocation (migrate_target_allocated) */
};

/* {"shutdown-seconds", ..., "total-seconds", "verified-bytes"} */
json_t *warm_downtime_json (const struct warm_downtime *d);

struct warm_cutover {
  const char *base;             /* mark of the last finished pass */
  const char *catchup_mark;     /* mark for the catch-up pass */
  const range_vector *finished; /* of an interrupted final pass, or NULL */
  /* When an earlier process already stopped the source: that time
   * (epoch seconds), so downtime counts from it; 0 = source running
   * (or stopped by someone else: counted from now). */
  double stopped_at;
  bool forced;                  /* out: the shutdown was a hard power-off */
  bool rolled_back;             /* out: failed after the source stopped,
                                   target withdrawn, source on again */
  struct warm_downtime downtime; /* out */
};

/* Hooks for the cutover: those of the passes, and the steps. */
struct warm_cutover_hooks {
  struct warm_hooks pass;
  /* The catch-up pass finished (record it as a sync, its mark as the new
   * base); -1 stops before the source is touched. */
  int (*catchup_done) (void *opaque, const struct warm_pass *pass);
  /* The source is about to be stopped / is off (at: when). */
  int (*stopping) (void *opaque);
  /* The final pass finished. */
  int (*final_done) (void *opaque, const struct warm_pass *pass);
  void *opaque;
};

/* Cut over: steps 1..7 above.  0: the target runs (or is written, for a
 * dir target) and is proven equal to the source's final view; the report
 * is written.  -1 with the error set: *rolled_back says whether the
 * source had been stopped (and is now on again) or never was. */
int warm_cutover (struct migration *m, struct change_source *src,
                  const struct warm_options *o, struct warm_cutover *c,
                  const struct warm_cutover_hooks *h);

/*----------------------------------------------------------------------
 * Deciding when: the sync interval and the predicted downtime, from
 * measured rates (docs/warm-migration.md gives the reasoning).
 */

struct warm_rates {
  double dirty_rate;            /* D: bytes/s newly dirtied (last syncs) */
  double copy_rate;             /* R: bytes/s copied (last syncs) */
  double view_seconds;          /* fixed cost of a pass: view open/close */
  double interval;              /* seconds between syncs; 0 = unknown
                                   (WARM_SYNC_TARGET's worth of writes) */
  uint64_t disk_bytes;          /* allocated bytes to digest at verify */
  double hash_rate;             /* disk bytes/s verified (the final view
                                   and the target each read and digested) */
  double shutdown_seconds;      /* a measured or expected shutdown */
  double define_seconds;        /* define + boot of the target */
};

/* Until a cutover on the same store measured them (plan_warm.c): a
 * graceful shutdown, a libvirt target's define and start, and the
 * verification rate (from the copy rate); before any pass, the copy
 * rate. */
#define WARM_SHUTDOWN_GUESS 30.0
#define WARM_DEFINE_GUESS 3.0
#define WARM_COPY_RATE_GUESS (100.0 * 1024 * 1024)
/* Verifying data takes this much of the time copying it took. */
#define WARM_VERIFY_PER_COPY 0.7

#define WARM_INTERVAL_MIN 60.0
#define WARM_INTERVAL_MAX 3600.0
/* A sync is aimed to take this long at the measured rates. */
#define WARM_SYNC_TARGET 30.0

/* The next interval (seconds) for --interval auto. */
double warm_interval_auto (const struct warm_rates *r);
/* Predicted downtime, seconds, of a cutover starting now (-1 when the
 * rates are not known yet).  *converges: false when D >= R (the final
 * delta does not shrink with more syncs). */
double warm_predict_downtime (const struct warm_rates *r, bool *converges);

#endif
