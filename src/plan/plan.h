/* plan.h: migration plans — a named set of VMs going to one target, with
 * network and storage mappings — and the state machine that carries each
 * VM through the cold migration engine, resumably.
 *
 * Everything a plan knows is in the store (plan/store.h); a `plan run`
 * holds nothing that is not written there first, so a run killed at any
 * point and started again continues: finished disk ranges are not copied
 * again, and the result is verified the same way.  The states, who moves a
 * VM between them and what resume does in each are drawn in plan.c and
 * described in docs/plan-state-machine.md.
 *
 * Library code: reports through callbacks, never prints.
 */
#ifndef FERRY_PLAN_PLAN_H
#define FERRY_PLAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "plan/store.h"
#include "preflight/validate.h"
#include "vm/vm.h"

enum plan_vm_state {
  PLAN_VM_PENDING,
  PLAN_VM_VALIDATING,
  PLAN_VM_PREPARING,
  PLAN_VM_COPYING,
  PLAN_VM_VERIFYING,
  PLAN_VM_ADAPTING,
  PLAN_VM_DEFINING,
  PLAN_VM_SYNCING,              /* warm: seed and syncs, source running */
  PLAN_VM_CUTTING_OVER,         /* warm: catch-up, shutdown .. boot */
  PLAN_VM_DONE,
  PLAN_VM_FAILED,
  PLAN_VM_CANCELLED,
  PLAN_VM_ROLLED_BACK,          /* warm: cutover undone, source on again */
};
#define PLAN_VM_NR_STATES (PLAN_VM_ROLLED_BACK + 1)

const char *plan_vm_state_name (enum plan_vm_state state);
/* -1 (error set) for a name that is not a state. */
int plan_vm_state_parse (const char *name, enum plan_vm_state *out);
/* validating .. defining: a run is (or was, if killed) working on it. */
bool plan_vm_state_is_active (enum plan_vm_state state);
/* Whether the state machine (drawn in plan.c, docs/plan-state-machine.md)
 * lets a VM go from `from` to `to`. */
bool plan_vm_transition_allowed (enum plan_vm_state from,
                                 enum plan_vm_state to);
/* The one way a VM's state is written: a transition the state machine
 * does not allow is an error and writes nothing; so is a VM that another
 * process moved out of `from` meanwhile.  error (NULL clears it) and the
 * event message as for store_vm_set_state(); vm names the VM in errors. */
int plan_vm_set_state (struct store *s, int64_t vm_id, const char *vm,
                       enum plan_vm_state from, enum plan_vm_state to,
                       const char *error, const char *message);

struct plan_callbacks {
  /* plan create: the findings of one source VM. */
  void (*findings) (void *opaque, const char *source, const struct vm *vm,
                    const finding_vector *findings);
  /* plan run: a VM changed state (message says why or what). */
  void (*state) (void *opaque, const char *vm, enum plan_vm_state state,
                 const char *message);
  /* plan run: durable copy progress of a VM, at each checkpoint. */
  void (*progress) (void *opaque, const char *vm, uint64_t done,
                    uint64_t total, double rate);
  void *opaque;
};

/* A warm plan's shutdown timeout when none is given: seconds of a
 * graceful shutdown of the source before it is powered off. */
#define PLAN_SHUTDOWN_TIMEOUT_DEFAULT 300

struct plan_create_options {
  const char *name;
  const char *const *sources;       /* "vmx:PATH", ... */
  size_t nr_sources;
  const char *target;               /* "dir:PATH" */
  const char *format;               /* NULL = "qcow2" */
  const char *const *map_network;   /* "SRC=DST" specs */
  size_t nr_map_network;
  const char *const *map_storage;
  size_t nr_map_storage;
  bool compat;
  bool tcg;
  const char *mode;                 /* NULL or "cold"; "warm" */
  /* Warm plans (ignored for cold).  interval: seconds between syncs, 0 =
   * auto; cutover_at: epoch seconds of the planned cutover, 0 = when
   * asked (plan cutover); max_downtime: seconds, 0 = no limit;
   * shutdown_timeout: seconds before a hard power-off, 0 = default. */
  double interval;
  double cutover_at;
  double max_downtime;
  double shutdown_timeout;
  /* Store VMs with Critical findings too (their run then fails at
   * validating unless the problem was fixed in the meantime). */
  bool force;
};

/* Read and validate every source, then store the plan and its VMs in one
 * transaction: either the whole plan exists afterwards, or nothing.
 * Refused when the name is taken, a source cannot be read, two VMs would
 * have one name on the target, or (without force) a VM has a Critical
 * finding. */
int plan_create (struct store *s, const struct plan_create_options *opts,
                 const struct plan_callbacks *cb);

struct plan_run_options {
  const char *db_path;              /* each VM's thread opens its own handle */
  const char *name;
  unsigned parallel;                /* VMs at a time; 0 = 1 */
  unsigned workers;                 /* copy workers per VM; 0 = default */
  bool retry;                       /* also run VMs that failed */
  double checkpoint_interval;       /* seconds; 0 = COPY_CHECKPOINT_INTERVAL */
  uint64_t bandwidth;               /* bytes/s read per disk; 0 = no limit */
};

struct plan_run_result {
  size_t done, failed, cancelled, skipped;  /* VMs, after the run */
  size_t rolled_back;           /* warm VMs whose cutover was undone */
};

/* Run the plan's unfinished VMs (pending, active — an interrupted run —
 * and cancelled; failed ones with retry), parallel at a time.  Refused
 * while another live `plan run` holds the plan.  A signal caught by
 * util/interrupt.h stops the run like a cancel request (VMs cancelled,
 * resumable).  0 when the run went
 * through (see *result for how each VM ended), -1 on an error of the run
 * itself. */
int plan_run (const struct plan_run_options *opts,
              const struct plan_callbacks *cb, struct plan_run_result *result);

/* Ask the plan's run to stop.  With a live runner: recorded, the runner
 * stops at its next checkpoint and marks its VMs cancelled (*running =
 * true).  Without: every pending or active VM is marked cancelled now. */
int plan_cancel (struct store *s, const char *name, bool *running);

/* Ask for the cutover of a warm plan's VMs (vms NULL / nr_vms 0 = every
 * VM not yet done), at `at` (epoch seconds; 0 = now).  Recorded in the
 * store; a live `plan run` carries it out (*running = true).  Without one
 * the caller runs the plan (plan_run) to perform it.  Refused for a cold
 * plan, an unknown VM name, or a VM already done. */
int plan_cutover (struct store *s, const char *name, const char *const *vms,
                  size_t nr_vms, double at, bool *running);

/* Forget a plan (its target files stay).  Refused while it runs. */
int plan_delete (struct store *s, const char *name);

/* [{name, target, format, mode, created, running, vms, states: {state: n},
 *   bytes-total, bytes-done}] */
json_t *plan_list_json (struct store *s);
/* Everything about one plan: see docs/plan-state-machine.md.  events =
 * how many of each VM's last events to include. */
json_t *plan_show_json (struct store *s, const char *name, unsigned events);

#endif
