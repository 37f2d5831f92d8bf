/* plan_internal.h: what the parts of the plan code share: plan.c (the
 * state machine, `plan run`, cancel, delete), plan_create.c (`plan create`
 * and the stored options), plan_view.c (`plan list`, `plan show`),
 * plan_cutover.c (`plan cutover`) and plan_warm.c (warm VMs).  Nothing
 * outside the plan layer includes it; callers use plan.h.
 */
#ifndef FERRY_PLAN_PLAN_INTERNAL_H
#define FERRY_PLAN_PLAN_INTERNAL_H

#include <stdbool.h>

#include <jansson.h>

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

/* The plan called name: 0, or -1 with the error set (also when there is
 * no such plan in the store). */
int plan_get (struct store *s, const char *name, struct store_plan *p);

#endif
