/* store.h: the plan store, ferry's persistent memory of migration plans.
 *
 * One narrow interface between the plan layer and a database: plans, the
 * VMs of a plan and their states, the disks of a VM, the finished (durable)
 * ranges of a disk's copy, the events of a VM, and the registered KVM
 * hosts that live migrations move VMs between.  Every SQL statement
 * lives in store*.c; nothing above this interface knows SQL, so a shared
 * PostgreSQL store can later implement the same functions.
 *
 * The embedded implementation is SQLite in WAL mode (readers never block
 * the writer: `ferry plan show` runs while `ferry plan run` writes),
 * foreign keys on, a busy timeout, synchronous=FULL (a committed range is
 * never forgotten, a forgotten one would only be copied again), and a
 * schema_version table with ordered migrations applied at open.
 *
 * A handle is used by one thread at a time; threads and processes open
 * their own.  Functions return 0 / -1 (error set, "store: PATH: ..."); the
 * getters return 1 when the object does not exist (error not set).
 * Strings in the structs below are owned and freed by the *_free helpers.
 *
 * The store records what the plan layer says; it never decides a state
 * transition (plan.c does).
 */
#ifndef FERRY_PLAN_STORE_H
#define FERRY_PLAN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "copy/copy.h"
#include "util/vector.h"

#define STORE_SCHEMA_VERSION 4

struct store;

struct store_host {
  char *name;                   /* as the user calls it: "kvm03" */
  char *uri;                    /* libvirt URI: "qemu+ssh://kvm03/system" */
  uint64_t memory_limit;        /* bytes of guest memory ferry may place
                                   there; 0 = what the host has free */
  double added_at;
};
DEFINE_VECTOR_TYPE (store_host_vector, struct store_host);

struct store_plan {
  int64_t id;
  char *name;
  char *target;                 /* "dir:/srv/kvm" */
  char *format;                 /* "qcow2" | "raw" */
  char *mode;                   /* "cold" | "warm" */
  char *options;                /* JSON text: maps, compat, tcg, warm
                                   interval, cutover, ... */
  double created_at;            /* seconds since the epoch */
  bool cancel_requested;
  int64_t runner_pid;           /* 0 = no `plan run` holds the plan */
  char *runner_host;
  double runner_since;
};
DEFINE_VECTOR_TYPE (store_plan_vector, struct store_plan);

struct store_vm {
  int64_t id;
  int64_t plan_id;
  int position;                 /* order within the plan */
  char *source;                 /* "vmx:/path/web01.vmx" */
  char *vm_name;                /* the source's name */
  char *target_name;            /* the domain name on the target */
  char *state;                  /* see plan.h: enum plan_vm_state */
  char *error;                  /* last failure, or NULL */
  char *findings;               /* JSON text of the last validation */
  uint64_t bytes_total;         /* sum of the disks' virtual sizes */
  uint64_t bytes_done;          /* bytes in durable finished ranges */
  double rate;                  /* bytes/s of the running copy; 0 = none */
  char *xml_path;               /* decided by preparing; NULL before */
  char *report_path;
  char *report;                 /* JSON text of the final report */
  double created_at, updated_at, started_at, finished_at;  /* 0 = never */
  /* Warm VMs (plan mode "warm"); zero / NULL otherwise. */
  double cutover_at;            /* cutover requested for this time (epoch
                                   seconds; 0 = none, <= now = at once) */
  char *warm_base;              /* mark of the last finished sync (the base
                                   of the next one); NULL = none yet */
  char *warm_epoch;             /* tracking epoch of warm_base */
  int64_t warm_next_mark;       /* sequence number of the next mark */
  double predicted_downtime;    /* seconds; < 0 = not predicted yet */
  char *downtime;               /* JSON text of the measured cutover
                                   phases, NULL before a cutover */
};
DEFINE_VECTOR_TYPE (store_vm_vector, struct store_vm);

/* One copy pass of a warm VM: the seed (index 0, full) or a sync. */
struct store_sync {
  int64_t id;
  int64_t vm_id;
  int idx;                      /* 0 = seed, 1.. = incremental syncs */
  char *mark;                   /* the mark its view started */
  bool full;                    /* whole view copied (seed, epoch change) */
  bool compared;                /* full, compared with what the target
                                   held: only differing blocks written */
  bool final;                   /* the cutover's last sync, source off */
  double started_at;
  double seconds;               /* 0 while it runs */
  uint64_t bytes_changed;       /* what the source said changed */
  uint64_t bytes_copied;        /* what was read from the source */
  uint64_t bytes_written;       /* what was written to the target */
  double dirty_rate;            /* D: bytes/s newly dirtied since the
                                   previous view */
  double copy_rate;             /* R: bytes/s copied */
  bool finished;
};
DEFINE_VECTOR_TYPE (store_sync_vector, struct store_sync);

/* An action on a source, recorded before it is done (source/change.h). */
struct store_intent {
  int64_t id;
  int64_t vm_id;
  double at;
  char *action;                 /* "checkpoint-create", "shutdown", ... */
  char *object;
  double done_at;               /* 0 = not known to be done */
  bool ok;
};
DEFINE_VECTOR_TYPE (store_intent_vector, struct store_intent);

struct store_disk {
  int64_t id;
  int64_t vm_id;
  int idx;                      /* index into the VM's disks */
  char *source_path;
  uint64_t size;
  char *target_path;            /* NULL before preparing */
  bool target_created;          /* the file at target_path is this plan's */
  unsigned copy_runs;           /* copies started on this disk */
  uint64_t last_resumed_bytes;  /* already finished when the last copy began */
  uint64_t last_copied_bytes;   /* ranges the last copy went over */
  char *source_digest;          /* hex, NULL until verified */
  char *target_digest;
};
DEFINE_VECTOR_TYPE (store_disk_vector, struct store_disk);

struct store_event {
  int64_t id;
  double at;
  char *state;
  char *message;
};
DEFINE_VECTOR_TYPE (store_event_vector, struct store_event);

/* The database file: $FERRY_STATE_DIR/ferry.db, else
 * $XDG_STATE_HOME/ferry/ferry.db, else ~/.local/state/ferry/ferry.db.
 * malloc'd; NULL with the error set. */
char *store_default_path (void);

/* Open (creating the file, its directory and the schema when needed) and
 * migrate the schema to STORE_SCHEMA_VERSION.  A database written by a
 * newer ferry is refused. */
struct store *store_open (const char *path);
void store_close (struct store *s);
const char *store_path (const struct store *s);

/* Write transactions (BEGIN IMMEDIATE: the write lock is taken at once,
 * waiting up to the busy timeout).  Not nested. */
int store_begin (struct store *s);
int store_commit (struct store *s);
void store_rollback (struct store *s);

/* Plans.  create: -1 with "already exists" when the name is taken. */
/* Hosts.  add refuses a name already registered; remove returns 1 when
 * there is no such host. */
int store_host_add (struct store *s, const struct store_host *h);
int store_host_remove (struct store *s, const char *name);
int store_host_get (struct store *s, const char *name, struct store_host *out);
int store_host_list (struct store *s, store_host_vector *out);
void store_host_free (struct store_host *h);
void store_host_vector_free (store_host_vector *v);

int store_plan_create (struct store *s, struct store_plan *plan);
int store_plan_get (struct store *s, const char *name, struct store_plan *out);
int store_plan_list (struct store *s, store_plan_vector *out);
int store_plan_delete (struct store *s, int64_t plan_id);
int store_plan_set_cancel (struct store *s, int64_t plan_id, bool requested);
int store_plan_get_cancel (struct store *s, int64_t plan_id, bool *requested);
/* The runner lock of a plan: held by the one `plan run` of the plan, and
 * released by the kernel when that process ends however it ends (SQLite:
 * an OFD lock on a byte of PATH.lock; a shared store would use an
 * advisory lock of its database).  lock: 0 taken (held by this handle
 * until unlock or store_close), 1 held by another, -1 error.  locked: 1
 * held by anyone (this handle included), 0 not, -1 error.  The lock says
 * whether a runner lives; the runner record below says who it is. */
int store_plan_lock (struct store *s, int64_t plan_id);
void store_plan_unlock (struct store *s, int64_t plan_id);
int store_plan_locked (struct store *s, int64_t plan_id);
/* Record (pid > 0) or clear (pid 0) the `plan run` holding the plan:
 * who holds its lock, for messages and `plan show`. */
int store_plan_set_runner (struct store *s, int64_t plan_id, int64_t pid,
                           const char *host);

/* VMs of a plan, in position order. */
int store_vm_add (struct store *s, struct store_vm *vm);
int store_vm_list (struct store *s, int64_t plan_id, store_vm_vector *out);
int store_vm_get (struct store *s, int64_t vm_id, struct store_vm *out);
/* Change the state from `from` to `state`, record the error (NULL clears
 * it) and append an event with message, in one transaction (or in the
 * caller's).  Refused (nothing written) when the VM is not in state `from`
 * any more: another process moved it.  Whether the transition is allowed
 * is plan.c's decision (plan_vm_set_state), not the store's. */
int store_vm_set_state (struct store *s, int64_t vm_id, const char *from,
                        const char *state, const char *error,
                        const char *message);
int store_vm_set_findings (struct store *s, int64_t vm_id,
                           const char *findings_json);
int store_vm_set_paths (struct store *s, int64_t vm_id, const char *xml_path,
                        const char *report_path);
int store_vm_set_progress (struct store *s, int64_t vm_id, uint64_t total,
                           uint64_t done, double rate);
int store_vm_set_report (struct store *s, int64_t vm_id,
                         const char *report_json);
int store_event_add (struct store *s, int64_t vm_id, const char *state,
                     const char *message);
/* The last `limit` events, oldest first. */
int store_event_list (struct store *s, int64_t vm_id, unsigned limit,
                      store_event_vector *out);

/* Disks of a VM, in index order. */
int store_disk_add (struct store *s, struct store_disk *disk);
int store_disk_list (struct store *s, int64_t vm_id, store_disk_vector *out);
int store_disk_set_target (struct store *s, int64_t disk_id, const char *path,
                           bool created);
int store_disk_set_copy_run (struct store *s, int64_t disk_id,
                             uint64_t resumed_bytes, uint64_t copied_bytes);
int store_disk_set_digests (struct store *s, int64_t disk_id,
                            const char *source_hex, const char *target_hex);

/* Finished ranges of a disk's copy.  add: one range, normally inside a
 * transaction that records a whole checkpoint batch.  list: by offset,
 * as recorded (see range_normalize to merge them).  clear: all. */
int store_range_add (struct store *s, int64_t disk_id, uint64_t offset,
                     uint64_t length);
int store_range_list (struct store *s, int64_t disk_id, range_vector *out);
int store_range_clear (struct store *s, int64_t disk_id);
/* Sum of the lengths of the finished ranges of every disk of a VM. */
int store_range_total (struct store *s, int64_t vm_id, uint64_t *bytes);

/* Warm VMs.  set_warm: base, epoch and next mark together (after a sync
 * finished).  set_cutover: at (0 clears).  set_predicted: seconds.
 * set_downtime: the JSON text of the phases. */
int store_vm_set_warm (struct store *s, int64_t vm_id, const char *base,
                       const char *epoch, int64_t next_mark);
int store_vm_set_cutover (struct store *s, int64_t vm_id, double at);
int store_vm_set_predicted (struct store *s, int64_t vm_id, double seconds);
int store_vm_set_downtime (struct store *s, int64_t vm_id,
                           const char *downtime_json);

/* Syncs of a VM.  begin: a new row (id set), not finished; finish: its
 * figures, finished = 1; list: by index; delete_unfinished: the rows of
 * passes a crash cut short (they are started again). */
int store_sync_begin (struct store *s, struct store_sync *sync);
int store_sync_finish (struct store *s, const struct store_sync *sync);
int store_sync_list (struct store *s, int64_t vm_id, store_sync_vector *out);
int store_sync_delete_unfinished (struct store *s, int64_t vm_id);
void store_sync_vector_free (store_sync_vector *v);

/* A cutover measured on this store: its phases (the JSON text
 * store_vm_set_downtime got) and the target of its plan. */
struct store_cutover {
  char *downtime;
  char *target;
};
DEFINE_VECTOR_TYPE (store_cutover_vector, struct store_cutover);

/* The newest max cutovers that finished (VM done), newest first, from
 * every plan: what a prediction learns the cost of a step from. */
int store_cutover_list (struct store *s, size_t max,
                        store_cutover_vector *out);
void store_cutover_vector_free (store_cutover_vector *v);

/* Intents.  add: recorded and committed before the action (id set);
 * done: when it ended; list: the VM's, oldest first (open_only: those
 * not done). */
int store_intent_add (struct store *s, struct store_intent *intent);
int store_intent_done (struct store *s, int64_t intent_id, bool ok);
int store_intent_list (struct store *s, int64_t vm_id, bool open_only,
                       store_intent_vector *out);
void store_intent_vector_free (store_intent_vector *v);

void store_plan_free (struct store_plan *p);
void store_vm_free (struct store_vm *v);
void store_disk_free (struct store_disk *d);
void store_plan_vector_free (store_plan_vector *v);
void store_vm_vector_free (store_vm_vector *v);
void store_disk_vector_free (store_disk_vector *v);
void store_event_vector_free (store_event_vector *v);

#endif
