/* plan_create.c: `plan create` -- every source VM read and validated,
 * then the plan, its VMs and their disks stored in one transaction -- and
 * the plan's options as stored in plans.options, which `plan run` reads
 * back (plan_settings_parse).  A cold plan reads its sources with
 * source_read(); a warm one takes running KVM guests, kvm:HOST/DOMAIN,
 * read by plan_read_kvm_source().
 *
 * Must never store part of a plan: a source that cannot be read, a target
 * spec that does not open, or critical findings without --force leave the
 * store as it was.  Never creates or touches a target disk.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "preflight/mapping.h"
#include "plan/plan.h"
#include "plan/plan_internal.h"
#include "plan/store.h"
#include "preflight/validate.h"
#include "source/kvm.h"
#include "source/source.h"
#include "target/target.h"
#include "util/cleanup.h"
#include "util/error.h"

/*----------------------------------------------------------------------
 * Plan options (stored as JSON in plans.options)
 */

static json_t *
plan_specs_json (const char *const *specs, size_t n)
{
  json_t *a = json_array ();

  for (size_t i = 0; a && i < n; i++)
    if (json_array_append_new (a, json_string (specs[i])) == -1) {
      json_decref (a);
      return NULL;
    }
  return a;
}

static int
plan_settings_mapping (json_t *specs, struct mapping *m, bool *has)
{
  size_t i;
  json_t *v;

  json_array_foreach (specs, i, v) {
    if (!json_is_string (v)) {
      error_set ("plan: a mapping in the stored options is not a string");
      return -1;
    }
    if (mapping_add (m, json_string_value (v)) == -1)
      return -1;
  }
  *has = !mapping_is_empty (m);
  return 0;
}

/* A number of seconds of the stored options: absent, null or the string
 * `none` read as dflt; else a number > 0. */
static int
plan_settings_seconds (json_t *o, const char *key, const char *none,
                       double dflt, double *out)
{
  json_t *v = json_object_get (o, key);

  if (v == NULL || json_is_null (v)
      || (none && json_is_string (v)
          && strcmp (json_string_value (v), none) == 0)) {
    *out = dflt;
    return 0;
  }
  if (!json_is_number (v) || !(json_number_value (v) > 0)) {
    error_set ("plan: the stored option \"%s\" is not a number of seconds "
               "above 0%s%s", key, none ? " or " : "", none ? none : "");
    return -1;
  }
  *out = json_number_value (v);
  return 0;
}

/* Whole seconds as a JSON integer, fractions as a real. */
static json_t *
plan_seconds_json (double seconds)
{
  if (seconds == floor (seconds) && fabs (seconds) < 9e15)
    return json_integer ((json_int_t) seconds);
  return json_real (seconds);
}

void
plan_settings_free (struct plan_settings *ps)
{
  mapping_free (&ps->networks);
  mapping_free (&ps->storage);
}

int
plan_settings_parse (const char *options, struct plan_settings *ps)
{
  json_error_t jerr;
  json_t *o;
  int r = -1;

  *ps = (struct plan_settings) { .networks = MAPPING_INIT,
                                 .storage = MAPPING_INIT };
  o = json_loads (options ? options : "{}", 0, &jerr);
  if (o == NULL || !json_is_object (o)) {
    error_set ("plan: the stored options are not a JSON object: %s",
               o ? "wrong type" : jerr.text);
    goto out;
  }
  if (plan_settings_mapping (json_object_get (o, "map-network"),
                             &ps->networks, &ps->has_networks) == -1
      || plan_settings_mapping (json_object_get (o, "map-storage"),
                                &ps->storage, &ps->has_storage) == -1)
    goto out;
  ps->compat = json_is_true (json_object_get (o, "compat"));
  ps->tcg = json_is_true (json_object_get (o, "tcg"));
  if (plan_settings_seconds (o, "interval", "auto", 0, &ps->interval) == -1
      || plan_settings_seconds (o, "cutover-at", NULL, 0,
                                &ps->cutover_at) == -1
      || plan_settings_seconds (o, "max-downtime", NULL, 0,
                                &ps->max_downtime) == -1
      || plan_settings_seconds (o, "shutdown-timeout", NULL,
                                PLAN_SHUTDOWN_TIMEOUT_DEFAULT,
                                &ps->shutdown_timeout) == -1)
    goto out;
  r = 0;
out:
  json_decref (o);
  if (r == -1)
    plan_settings_free (ps);
  return r;
}

/*----------------------------------------------------------------------
 * plan create
 */

char *
plan_json_text (json_t *j)
{
  char *text = j ? json_dumps (j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  if (text == NULL)
    error_set ("plan: out of memory formatting JSON");
  return text;
}

/* Everything plan_create learns about one source before storing it. */
struct plan_new_vm {
  struct vm vm;
  char *findings;
  bool blocked;
};

int
plan_kvm_source_resolve (struct store *s, const char *plan,
                         const char *source, char **uri, char **domain)
{
  const char *spec = source + strlen ("kvm:");
  const char *slash = strchr (spec, '/');
  struct store_host host;
  char *name;
  int r;

  if (strncmp (source, "kvm:", 4) != 0 || slash == NULL || slash == spec
      || slash[1] == '\0' || strchr (slash + 1, '/') != NULL) {
    error_set ("plan %s: %s: expected kvm:HOST/DOMAIN", plan, source);
    return -1;
  }
  name = strndup (spec, slash - spec);
  if (name == NULL) {
    error_set_errno (errno, "plan: strndup");
    return -1;
  }
  r = store_host_get (s, name, &host);
  if (r == 1)
    error_set ("plan %s: %s: host \"%s\" is not registered (ferry host add "
               "%s URI)", plan, source, name, name);
  free (name);
  if (r != 0)
    return -1;
  *uri = host.uri;
  host.uri = NULL;
  store_host_free (&host);
  *domain = strdup (slash + 1);
  if (*domain == NULL) {
    error_set_errno (errno, "plan: strdup");
    free (*uri);
    return -1;
  }
  return 0;
}

/* A warm source, kvm:HOST/DOMAIN: the running guest read (its VM model
 * moved into *vm) and the warm rules appended to findings.  Nothing is
 * done to the guest (no journal). */
static int
plan_read_kvm_source (struct store *s, const char *plan, const char *source,
                      struct vm *vm, finding_vector *findings)
{
  CLEANUP_FREE char *uri = NULL, *domain = NULL;
  struct kvm_facts facts = { 0 };
  struct change_source *src;
  int r = -1;

  if (plan_kvm_source_resolve (s, plan, source, &uri, &domain) == -1)
    return -1;
  src = kvm_source_open (uri, domain, plan, NULL, &facts);
  if (src == NULL) {
    error_prefix ("plan %s", plan);
    return -1;
  }
  *vm = src->vm;
  src->vm = (struct vm) VM_INIT;
  r = validate_warm_kvm (&facts, findings);
  src->ops->close (src);
  kvm_facts_free (&facts);
  return r;
}

/* Whether a warm plan can take source: 0, or -1 with the error set. */
static int
plan_check_warm_source (const char *plan, const char *source)
{
  static const char *const later[] = { "vmx:", "ova:", "ovf:" };

  if (strncmp (source, "kvm:", 4) == 0)
    return 0;
  for (size_t i = 0; i < sizeof later / sizeof later[0]; i++)
    if (strncmp (source, later[i], strlen (later[i])) == 0) {
      error_set ("plan %s: %s: warm migration from VMware VM folders and "
                 "OVA/OVF exports comes later; migrate it with a cold plan "
                 "(--mode cold), or give a running KVM guest as "
                 "kvm:HOST/DOMAIN", plan, source);
      return -1;
    }
  error_set ("plan %s: %s: a warm plan's sources are running KVM guests, "
             "kvm:HOST/DOMAIN (HOST registered with ferry host add)", plan,
             source);
  return -1;
}

static int
plan_create_read (struct store *s, const struct plan_create_options *opts,
                  const struct plan_settings *ps, bool warm,
                  const char *source, const struct plan_callbacks *cb,
                  struct plan_new_vm *out)
{
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;
  finding_vector findings = empty_vector;
  struct target t;
  int r = -1;

  out->vm = (struct vm) VM_INIT;
  if (warm) {
    if (plan_read_kvm_source (s, opts->name, source, &out->vm, &findings)
        == -1)
      goto out;
  }
  else if (strncmp (source, "kvm:", 4) == 0) {
    error_set ("plan %s: %s: a running KVM guest is a source of warm plans "
               "(--mode warm)", opts->name, source);
    return -1;
  }
  else if (source_read (source, &out->vm) == -1) {
    error_prefix ("plan %s", opts->name);
    return -1;
  }
  /* The target spec is checked now, with this VM's name. */
  if (target_open (opts->target, out->vm.name,
                   opts->format ? opts->format : "qcow2", &t) == -1)
    goto out;
  target_free (&t);
  ctx.networks = ps->has_networks ? &ps->networks : NULL;
  ctx.storage = ps->has_storage ? &ps->storage : NULL;
  ctx.target_format = opts->format;
  ctx.compat = ps->compat;
  ctx.warm = warm;
  if (validate_vm (&out->vm, &ctx, &findings) == -1)
    goto out;
  if (cb && cb->findings)
    cb->findings (cb->opaque, source, &out->vm, &findings);
  out->blocked = validate_blocks (&findings);
  {
    json_t *j = validate_findings_json (out->vm.name, &findings);
    out->findings = plan_json_text (j);
    json_decref (j);
  }
  if (out->findings == NULL)
    goto out;
  r = 0;
out:
  validate_findings_free (&findings);
  return r;
}

int
plan_create (struct store *s, const struct plan_create_options *opts,
             const struct plan_callbacks *cb)
{
  struct store_plan plan = { 0 };
  struct plan_settings ps;
  struct plan_new_vm *vms = NULL;
  json_t *options;
  char *options_text = NULL;
  size_t blocked = 0;
  bool warm;
  int r = -1;

  if (opts->name == NULL || opts->name[0] == '\0'
      || strpbrk (opts->name, "/\n\t") != NULL) {
    error_set ("plan: \"%s\" is not a usable plan name",
               opts->name ? opts->name : "");
    return -1;
  }
  if (opts->nr_sources == 0) {
    error_set ("plan %s: no source VM given", opts->name);
    return -1;
  }
  if (opts->mode && strcmp (opts->mode, "cold") != 0
      && strcmp (opts->mode, "warm") != 0) {
    error_set ("plan %s: unknown mode \"%s\" (cold or warm)", opts->name,
               opts->mode);
    return -1;
  }
  warm = opts->mode && strcmp (opts->mode, "warm") == 0;
  if (warm) {
    if (!(opts->interval >= 0) || !(opts->cutover_at >= 0)
        || !(opts->max_downtime >= 0) || !(opts->shutdown_timeout >= 0)) {
      error_set ("plan %s: the interval, cutover time, maximum downtime and "
                 "shutdown timeout must not be negative", opts->name);
      return -1;
    }
    for (size_t i = 0; i < opts->nr_sources; i++)
      if (plan_check_warm_source (opts->name, opts->sources[i]) == -1)
        return -1;
  }
  if (store_plan_get (s, opts->name, &plan) == 0) {
    store_plan_free (&plan);
    error_set ("plan \"%s\" already exists (in %s)", opts->name,
               store_path (s));
    return -1;
  }
  options = json_pack ("{s:o, s:o, s:b, s:b, s:b}",
                       "map-network", plan_specs_json (opts->map_network,
                                                       opts->nr_map_network),
                       "map-storage", plan_specs_json (opts->map_storage,
                                                       opts->nr_map_storage),
                       "compat", opts->compat, "tcg", opts->tcg,
                       "force", opts->force);
  if (warm && options
      && (json_object_set_new (options, "interval", opts->interval > 0
                               ? plan_seconds_json (opts->interval)
                               : json_string ("auto")) == -1
          || json_object_set_new (options, "cutover-at", opts->cutover_at > 0
                                  ? plan_seconds_json (opts->cutover_at)
                                  : json_null ()) == -1
          || json_object_set_new (options, "max-downtime",
                                  opts->max_downtime > 0
                                  ? plan_seconds_json (opts->max_downtime)
                                  : json_null ()) == -1
          || json_object_set_new (options, "shutdown-timeout",
                                  plan_seconds_json (opts->shutdown_timeout > 0
                                    ? opts->shutdown_timeout
                                    : PLAN_SHUTDOWN_TIMEOUT_DEFAULT)) == -1)) {
    json_decref (options);
    options = NULL;
  }
  options_text = plan_json_text (options);
  json_decref (options);
  if (options_text == NULL)
    return -1;
  if (plan_settings_parse (options_text, &ps) == -1) {
    free (options_text);
    return -1;
  }

  vms = calloc (opts->nr_sources, sizeof *vms);
  if (vms == NULL) {
    error_set_errno (errno, "plan: calloc");
    goto out;
  }
  for (size_t i = 0; i < opts->nr_sources; i++) {
    vms[i].vm = (struct vm) VM_INIT;
    if (plan_create_read (s, opts, &ps, warm, opts->sources[i], cb,
                          &vms[i]) == -1)
      goto out;
    blocked += vms[i].blocked;
  }
  if (blocked > 0 && !opts->force) {
    error_set ("plan %s: %zu VM(s) have critical findings; nothing was "
               "stored (fix them, or create the plan with --force)",
               opts->name, blocked);
    goto out;
  }

  plan.name = (char *) opts->name;
  plan.target = (char *) opts->target;
  plan.format = (char *) (opts->format ? opts->format : "qcow2");
  plan.mode = (char *) (warm ? "warm" : "cold");
  plan.options = options_text;
  if (store_begin (s) == -1)
    goto out;
  if (store_plan_create (s, &plan) == -1)
    goto rollback;
  for (size_t i = 0; i < opts->nr_sources; i++) {
    const struct vm *vm = &vms[i].vm;
    struct store_vm sv = {
      .plan_id = plan.id, .position = (int) i,
      .source = (char *) opts->sources[i], .vm_name = vm->name,
      .target_name = vm->name, .state = (char *) "pending",
      .findings = vms[i].findings,
      .cutover_at = warm ? ps.cutover_at : 0,
    };
    for (size_t d = 0; d < vm->disks.len; d++)
      sv.bytes_total += vm->disks.ptr[d].capacity;
    if (store_vm_add (s, &sv) == -1) {
      error_prefix ("plan %s", opts->name);
      goto rollback;
    }
    for (size_t d = 0; d < vm->disks.len; d++) {
      struct store_disk sd = {
        .vm_id = sv.id, .idx = (int) d,
        .source_path = vm->disks.ptr[d].path,
        .size = vm->disks.ptr[d].capacity,
      };
      if (store_disk_add (s, &sd) == -1)
        goto rollback;
    }
    if (store_event_add (s, sv.id, "pending", vms[i].blocked
                         ? "added to the plan with critical findings "
                           "(--force)" : "added to the plan") == -1)
      goto rollback;
  }
  if (store_commit (s) == -1)
    goto out;
  r = 0;
  goto out;
rollback:
  store_rollback (s);
out:
  for (size_t i = 0; vms && i < opts->nr_sources; i++) {
    vm_free (&vms[i].vm);
    free (vms[i].findings);
  }
  free (vms);
  free (options_text);
  plan_settings_free (&ps);
  return r;
}
