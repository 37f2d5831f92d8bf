/* change.h: warm sources — point-in-time views of a running VM's disks and
 * the extents changed between two views.
 *
 * One interface for every source a warm migration copies from while the
 * VM runs (a running KVM guest: source/kvm.c; VMware snapshot deltas and
 * Hyper-V checkpoints later).  A *view* freezes every disk of the VM at
 * one instant and is read like any image (struct disk); it also starts a
 * new *mark* (a checkpoint), so that the next view can list exactly what
 * was written after this one.  The engine (migrate/warm.c) copies a view
 * whole (the seed) or only its changes (a sync), then releases it.
 *
 * The *tracking epoch* is an id that stays the same as long as the chain
 * of marks can be trusted; a source that finds its mark lost, damaged or
 * made by another incarnation of the VM reports a new epoch and no
 * changes, and the engine then re-copies the whole view (never trusts
 * it).
 *
 * Must never: write to the VM's disks or change its definition except
 * through the hypervisor's own checkpoint and backup API; act on the
 * source without first telling the journal (every intent recorded before
 * it is done, so that a crash can always be cleaned up); delete a mark it
 * did not make (marks are named by the caller, with a prefix the source
 * recognises as ferry's).
 */
#ifndef FERRY_SOURCE_CHANGE_H
#define FERRY_SOURCE_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disk/disk.h"
#include "util/range.h"
#include "vm/vm.h"

/* What the source is about to do to the hypervisor, told before it does
 * it ("checkpoint-create", "checkpoint-delete", "checkpoint-adopt" (a
 * leftover bitmap made known again, to be deleted), "backup-begin",
 * "backup-end", "shutdown", "destroy", "start", "start-paused"; object:
 * the mark or domain acted on).  intent returning -1 (error set) stops the
 * action before anything is done; done is told afterwards, ok or not. */
struct change_journal {
  int (*intent) (void *opaque, const char *action, const char *object);
  void (*done) (void *opaque, const char *action, const char *object,
                bool ok);
  void *opaque;
};

struct change_view {
  char *mark;               /* the mark this view starts; NULL = none made
                               (a final view) */
  char *base;               /* the mark changes are counted from; NULL =
                               full view (every allocated extent counts) */
  char *epoch;              /* tracking epoch (see above) */
  bool epoch_changed;       /* base was asked for but cannot be trusted:
                               changes() lists the whole disk */
  bool adopted;             /* the view was left open by a process that
                               died and is taken over as it is (the same
                               base and mark, the same frozen bytes): the
                               engine may resume its unfinished copy */
  size_t nr_disks;          /* = the VM's disks, same order */
  struct disk **disks;      /* read-only, thread-safe (disk.h) */
  void *priv;               /* the source's */
};

struct change_source;

struct change_source_ops {
  const char *kind;         /* "kvm" */

  /* Open a view of every disk, now.  base: the mark of the previous view
   * whose changes are wanted (NULL = a full view); mark: the name of the
   * new mark to start (NULL = none: the VM is off and this is the last
   * view).  A view left open by a process that died (the same base and
   * mark) is adopted rather than opened again, so its unfinished copy can
   * go on with the same bytes. */
  int (*view_open) (struct change_source *src, const char *base,
                    const char *mark, struct change_view *view);
  /* The extents of disk i written since view->base (all allocated
   * extents for a full view or a changed epoch), sorted and merged, in
   * data (holds data now) and zero (reads as zeros now: zeroed or
   * trimmed).  Appended to the vectors. */
  int (*view_changes) (struct change_source *src, struct change_view *view,
                       size_t i, range_vector *data, range_vector *zero);
  /* Close a view: its disks (set to NULL), the hypervisor's job and
   * view->priv.  Its mark stays.  change_view_free then frees the rest. */
  int (*view_close) (struct change_source *src, struct change_view *view);

  /* Delete a mark this migration made (gone already: 0). */
  int (*mark_delete) (struct change_source *src, const char *mark);
  /* After a crash: end any view of ours still open and delete every mark
   * with the migration's prefix that is not in keep (the ones the caller's
   * store knows).  Leaves no job and no unknown mark. */
  int (*recover) (struct change_source *src, const char *const *keep,
                  size_t nr_keep);

  /* Power.  shutdown: graceful (ACPI / guest agent), waiting up to
   * timeout seconds, then hard power-off; *forced says which happened.
   * Returns once the VM is confirmed off. */
  int (*is_running) (struct change_source *src, bool *running);
  int (*shutdown) (struct change_source *src, double timeout, bool *forced);
  int (*power_on) (struct change_source *src);

  void (*close) (struct change_source *src);
};

struct change_source {
  const struct change_source_ops *ops;
  struct vm vm;                     /* the VM model, read at open */
  const struct change_journal *journal;
  char *mark_prefix;                /* "ferry-<tag>-": every mark of ours */
  void *priv;
};

/* Free what view_open put in view (after view_close; the disks array,
 * not the disks). */
void change_view_free (struct change_view *view);

/* Journal helpers for sources: intent (-1 stops), then done. */
int change_intent (struct change_source *src, const char *action,
                   const char *object);
void change_done (struct change_source *src, const char *action,
                  const char *object, bool ok);

#endif
