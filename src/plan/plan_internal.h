/* plan_internal.h: what the parts of the plan code share: plan.c (the
 * state machine, `plan run`, cancel, delete), plan_create.c (`plan create`
 * and the stored options), plan_view.c (`plan list`, `plan show`),
 * plan_cutover.c (`plan cutover`) and plan_warm.c (warm VMs).  Nothing
 * outside the plan layer includes it; callers use plan.h.
 */
#ifndef FERRY_PLAN_PLAN_INTERNAL_H
#define FERRY_PLAN_PLAN_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>

#include <jansson.h>

#include "migrate/migrate.h"
#include "plan/plan.h"
#include "preflight/mapping.h"
#include "plan/store.h"

/* A plan's options, as parsed from plans.options. */
struct plan_settings {
  struct mapping networks;
  struct mapping storage;
  bool has_networks, has_storage;
  bool compat;
  bool tcg;
  /* Warm plans (plans.mode "warm"); for cold ones these keep their
   * defaults.  interval: seconds between syncs, 0 = auto (from the
   * measured rates); cutover_at: epoch seconds of the planned cutover, 0
   * = when asked (plan cutover); max_downtime: seconds, 0 = no limit;
   * shutdown_timeout: seconds before a hard power-off. */
  double interval;
  double cutover_at;
  double max_downtime;
  double shutdown_timeout;
};

/* 0, or -1 with the error set and nothing left to free. */
int plan_settings_parse (const char *options, struct plan_settings *ps);
void plan_settings_free (struct plan_settings *ps);

/* Compact text of j (borrowed); NULL with the error set. */
char *plan_json_text (json_t *j);

/* A warm source "kvm:HOST/DOMAIN": the registered HOST's libvirt URI and
 * the domain (malloc'd).  -1 with the error set (an unknown host says
 * how to register it). */
int plan_kvm_source_resolve (struct store *s, const char *plan,
                             const char *source, char **uri, char **domain);

/* The plan called name: 0, or -1 with the error set (also when there is
 * no such plan in the store). */
int plan_get (struct store *s, const char *name, struct store_plan *p);

/*----------------------------------------------------------------------
 * `plan run`: shared by plan.c (the runner, cold VMs) and plan_warm.c
 * (warm VMs).
 */

/* Shared by the threads of one `plan run`. */
struct plan_runner {
  const struct plan_run_options *opts;
  const struct plan_callbacks *cb;
  const struct store_plan *plan;
  struct plan_settings settings;
  struct migrate_options base;      /* per VM: source and name set */

  pthread_mutex_t lock;             /* protects below */
  struct store_vm *queue;
  size_t nr_queue, next;
  bool stop;                        /* cancel seen: start no more VMs */
  bool warm;                        /* a warm plan: plan_warm_vm_run() */
  sem_t slots;                      /* warm: copy passes at a time */
  struct plan_run_result result;
};

/* One VM being run by one thread. */
struct plan_vm {
  struct plan_runner *runner;
  struct store *s;                  /* this thread's handle */
  struct store_vm row;
  store_disk_vector disks;
  struct migrate_options mopts;
  struct migration *m;
  enum plan_vm_state state;
  bool cancelled;                   /* a checkpoint saw the request */
  bool warm;                        /* a warm VM (plan_warm.c) */
  bool keep_targets;                /* warm: the images hold passes */
  /* copy progress, for the store and the callbacks */
  uint64_t bytes_total, bytes_done, run_start_bytes;
  double run_start;
};

/* A disk being copied by pv, for plan_vm_checkpoint. */
struct plan_disk_copy {
  struct plan_vm *pv;
  struct store_disk *sd;
};

/* Open a VM for the thread that runs it (its store handle, row and
 * migration options; pv->m is the caller's to make); close it. */
int plan_vm_open (struct plan_vm *pv, struct plan_runner *run,
                  const struct store_vm *row, enum plan_vm_state *from);
void plan_vm_close (struct plan_vm *pv);
/* The migration's report into the store and the transition to `to`, in
 * one transaction. */
int plan_vm_store_report (struct plan_vm *pv, enum plan_vm_state to,
                          const char *error, const char *message);
/* Record a transition (state + event, one transaction) and report it. */
int plan_vm_enter (struct plan_vm *pv, enum plan_vm_state state,
                   const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* A cancel point: -1 (pv->cancelled) on a cancel request or a signal. */
int plan_vm_check_cancel (struct plan_vm *pv);
/* preparing: target names decided or reloaded, images made. */
int plan_vm_prepare (struct plan_vm *pv);
/* The mover's checkpoint callback (opaque: struct plan_disk_copy). */
int plan_vm_checkpoint (void *opaque, const struct range *done, size_t n);
/* failed / cancelled, from the error set. */
void plan_vm_end (struct plan_vm *pv);

/* Run one warm VM (plan_warm.c) from wherever it is until it is done,
 * failed, cancelled or rolled back; its final state. */
enum plan_vm_state plan_warm_vm_run (struct plan_runner *run,
                                     const struct store_vm *row);
/* Before a warm plan is deleted: every VM's marks removed from its
 * source (one that cannot be reached is logged and skipped). */
int plan_warm_forget (struct store *s, const struct store_plan *p);

#endif
