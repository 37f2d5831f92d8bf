/* plan_cutover.c: cutover requests of warm plans (`plan cutover`; see
 * plan.h): the time at which each named VM is to be cut over, recorded in
 * the store for the run that carries it out.
 *
 * Must never perform a cutover or move a VM's state: it records a request
 * (plan_vms.cutover_at and an event), all VMs or none, and says whether a
 * live run holds the plan; the warm code of `plan run` decides the rest.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "plan/plan.h"
#include "plan/plan_internal.h"
#include "plan/store.h"
#include "util/clock.h"
#include "util/error.h"

/* The VM of the plan called name (as on the target, or as at the
 * source), or NULL. */
static struct store_vm *
plan_cutover_find (store_vm_vector *vms, const char *name)
{
  for (size_t i = 0; i < vms->len; i++)
    if (strcmp (vms->ptr[i].target_name, name) == 0)
      return &vms->ptr[i];
  for (size_t i = 0; i < vms->len; i++)
    if (strcmp (vms->ptr[i].vm_name, name) == 0)
      return &vms->ptr[i];
  return NULL;
}

/* Whether vm can be asked to cut over: 0, or -1 with the error set. */
static int
plan_cutover_check (const char *plan, const struct store_vm *vm)
{
  enum plan_vm_state st;

  if (plan_vm_state_parse (vm->state, &st) == -1)
    return -1;
  if (st == PLAN_VM_DONE) {
    error_set ("plan %s: VM %s is done already: there is nothing left to cut "
               "over", plan, vm->target_name);
    return -1;
  }
  if (st == PLAN_VM_FAILED) {
    error_set ("plan %s: VM %s failed (%s): run it again first ('ferry plan "
               "run %s --retry'), or name the VMs to cut over", plan,
               vm->target_name, vm->error ? vm->error : "no error recorded",
               plan);
    return -1;
  }
  return 0;
}

int
plan_cutover (struct store *s, const char *name, const char *const *vms,
              size_t nr_vms, double at, bool *running)
{
  struct store_plan p = { 0 };
  store_vm_vector list = empty_vector;
  char when[64], msg[128];
  size_t marked = 0;
  int r = -1;

  *running = false;
  if (at <= 0)
    at = clock_now ();
  {
    struct tm tm;
    time_t sec = (time_t) at;
    gmtime_r (&sec, &tm);
    strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  snprintf (msg, sizeof msg, "cutover requested for %s", when);

  if (store_begin (s) == -1)
    return -1;
  if (plan_get (s, name, &p) == -1)
    goto fail;
  if (strcmp (p.mode, "warm") != 0) {
    error_set ("plan %s is a cold plan: it has no cutover (its run copies "
               "each VM with the source off); cutover is for plans created "
               "with --mode warm", name);
    goto fail;
  }
  if (store_vm_list (s, p.id, &list) == -1)
    goto fail;
  /* Check every name before writing anything. */
  for (size_t i = 0; i < nr_vms; i++) {
    struct store_vm *vm = plan_cutover_find (&list, vms[i]);
    if (vm == NULL) {
      error_set ("plan %s has no VM called \"%s\"", name, vms[i]);
      goto fail;
    }
    if (plan_cutover_check (name, vm) == -1)
      goto fail;
  }
  for (size_t i = 0; i < list.len; i++) {
    struct store_vm *vm = &list.ptr[i];
    bool named = nr_vms == 0;

    for (size_t k = 0; !named && k < nr_vms; k++)
      named = plan_cutover_find (&list, vms[k]) == vm;
    if (!named || (nr_vms == 0 && strcmp (vm->state, "done") == 0))
      continue;
    if ((nr_vms == 0 && plan_cutover_check (name, vm) == -1)
        || store_vm_set_cutover (s, vm->id, at) == -1
        || store_event_add (s, vm->id, vm->state, msg) == -1)
      goto fail;
    marked++;
  }
  if (marked == 0) {
    error_set ("plan %s: every VM is done already: there is nothing left to "
               "cut over", name);
    goto fail;
  }
  switch (store_plan_locked (s, p.id)) {
  case -1:
    goto fail;
  case 1:
    *running = true;
    break;
  }
  r = store_commit (s);
  goto out;
fail:
  store_rollback (s);
out:
  store_vm_vector_free (&list);
  store_plan_free (&p);
  return r;
}
