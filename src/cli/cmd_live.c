/* cmd_live.c: `ferry live check|migrate` and `ferry host evacuate`: the
 * front end of the live migration engine (migrate/live.h) over the
 * registered hosts.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/hosts.h"
#include "migrate/live.h"
#include "migrate/warm.h"
#include "plan/plan.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/json.h"
#include "util/progress.h"

static void
live_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry live check DOMAIN --to HOST|auto [OPTIONS]\n"
           "       ferry live migrate DOMAIN --to HOST|auto [OPTIONS]\n"
           "\n"
           "Move a running VM to another registered KVM host (ferry host add)\n"
           "without stopping it.  check lists the findings for the destination,\n"
           "as validation does: CPU (missing features named), memory,\n"
           "architecture and machine type, storage, networks, host-passthrough\n"
           "CPU, passthrough devices; a CRITICAL one rules the host out (exit 1).\n"
           "--to auto picks, among the hosts that pass, the one with the most\n"
           "memory available, then the least loaded, and says why.  migrate\n"
           "runs the check first and refuses on a CRITICAL finding; check also\n"
           "says what the migration would do with the options given, and when\n"
           "no live migration is possible, the warm one that is.  On any\n"
           "failure the VM keeps running where it was.  DOMAIN is a name that\n"
           "runs on one registered host, or NAME@HOST.\n"
           "\n"
           "      --to HOST|auto            the destination\n"
           "      --copy-storage            copy the disks too (the hosts do not\n"
           "                                share the disks' storage)\n"
           "      --storage-pool POOL       with --copy-storage: into this pool of\n"
           "                                the destination (default: the same\n"
           "                                paths there)\n"
           "      --bandwidth MIB           at most MIB MiB/s (default: no limit)\n"
           "      --max-downtime MS         longest pause allowed at the switch\n"
           "                                (default 300)\n"
           "      --parallel N              migration connections (default 1)\n"
           "      --postcopy                switch to post-copy after the first\n"
           "                                full pass over memory\n"
           "      --fallback warm           when the check rules the destination\n"
           "                                out (CPU, versions, storage), move the\n"
           "                                VM warm instead: copied while it runs,\n"
           "                                then stopped for a short cutover (a\n"
           "                                warm plan live-DOMAIN-TIME, into\n"
           "                                --storage-pool or \"default\")\n"
           "      --shutdown-timeout D      with --fallback warm: the guest's\n"
           "                                graceful shutdown at the cutover may\n"
           "                                take D (\"90s\", \"5m\"; default 5m),\n"
           "                                then it is powered off\n"
           "  -p, --progress                show progress (default on a terminal)\n"
           "      --json                    machine-readable result\n"
           "      --db PATH                 the store holding the hosts\n"
           "  -h, --help                    this help\n");
}

struct live_cli {
  const char *db;
  const char *to;
  bool json;
  bool progress;
  bool fallback_warm;
  double shutdown_timeout;
  unsigned evacuate_parallel;
  struct live_options opts;
  store_host_vector stored;
  struct live_host *hosts;
};

static void
live_cli_free (struct live_cli *l)
{
  free (l->hosts);
  store_host_vector_free (&l->stored);
}

static int
live_cli_hosts (struct live_cli *l)
{
  if (cli_hosts_load (l->db, &l->stored) == -1)
    return -1;
  l->hosts = calloc (l->stored.len + 1, sizeof *l->hosts);
  if (l->hosts == NULL) {
    error_set ("out of memory");
    return -1;
  }
  for (size_t i = 0; i < l->stored.len; i++) {
    l->hosts[i].name = l->stored.ptr[i].name;
    l->hosts[i].uri = l->stored.ptr[i].uri;
    l->hosts[i].memory_limit = l->stored.ptr[i].memory_limit;
  }
  l->opts.hosts = l->hosts;
  l->opts.nr_hosts = l->stored.len;
  return 0;
}

static void
live_show_progress (void *opaque, const struct live_progress *p)
{
  char b1[32], b2[32], b3[32];

  fprintf (stderr, "[live] %s: %.0fs, memory %s of %s left, dirtying %s/s, "
           "pass %" PRIu64 ", expected downtime %" PRIu64 " ms%s%s\n",
           p->domain, p->elapsed,
           progress_format_bytes (p->memory_remaining, b1, sizeof b1),
           progress_format_bytes (p->memory_total, b2, sizeof b2),
           progress_format_bytes (p->dirty_rate, b3, sizeof b3),
           p->iteration, p->expected_downtime,
           p->throttle ? ", guest throttled (auto-converge)" : "",
           p->postcopy ? ", post-copy" : "");
  if (p->disk_total)
    fprintf (stderr, "[live] %s: disks %s of %s left\n", p->domain,
             progress_format_bytes (p->disk_remaining, b1, sizeof b1),
             progress_format_bytes (p->disk_total, b2, sizeof b2));
}

/* What the migration would do with the options given (live check says
 * it, so that none of them is silently ignored). */
static void
live_print_settings (const struct live_options *opts)
{
  json_t *j = live_settings_json (opts);
  json_t *bw = json_object_get (j, "bandwidth-mib-s");
  json_int_t channels = json_integer_value (json_object_get (j,
                                                "parallel-channels"));
  char bw_text[32], ch_text[48];

  if (j == NULL)
    return;
  if (json_is_integer (bw))
    snprintf (bw_text, sizeof bw_text, "%" JSON_INTEGER_FORMAT " MiB/s",
              json_integer_value (bw));
  else
    snprintf (bw_text, sizeof bw_text, "no limit");
  if (channels)
    snprintf (ch_text, sizeof ch_text, "main stream + %" JSON_INTEGER_FORMAT
              " parallel channels", channels);
  else
    snprintf (ch_text, sizeof ch_text, "one stream");
  printf ("migration: bandwidth %s, max downtime %" JSON_INTEGER_FORMAT
          " ms, %s, %s, disks %s%s%s\n", bw_text,
          json_integer_value (json_object_get (j, "max-downtime-ms")),
          ch_text, opts->postcopy ? "post-copy after the first pass"
                                  : "pre-copy only",
          opts->copy_storage ? "copied" : "shared",
          opts->storage_pool ? " into pool " : "",
          opts->storage_pool ? opts->storage_pool : "");
  json_decref (j);
}

static void
live_print_check (const struct live_check *c)
{
  for (size_t i = 0; i < c->nr_candidates; i++) {
    const struct live_candidate *k = &c->candidates[i];
    char label[256];

    snprintf (label, sizeof label, "%s -> %s", c->domain.name, k->host->name);
    if (k->findings.len == 0)
      printf ("%s: no findings\n", label);
    else
      validate_print (stdout, label, &k->findings);
  }
  printf ("%s\n", c->why);
}

static json_t *
live_check_json (const struct live_options *opts, const struct live_check *c)
{
  json_t *o = json_object (), *cands = json_array ();

  for (size_t i = 0; o && cands && i < c->nr_candidates; i++) {
    const struct live_candidate *k = &c->candidates[i];
    json_t *f = validate_findings_json (c->domain.name, &k->findings);
    if (f == NULL || json_set_string (f, "host", k->host->name) == -1
        || json_set_bool (f, "passes", k->passes) == -1
        || json_set_u64 (f, "memory-available",
                         k->facts.memory_available) == -1) {
      json_decref (f);
      break;
    }
    json_array_append_new (cands, f);
  }
  if (o == NULL || cands == NULL
      || json_set_string (o, "domain", c->domain.name) == -1
      || json_set_string (o, "from", c->source->name) == -1
      || json_set_string (o, "chosen", c->chosen
                                       ? c->chosen->host->name : NULL) == -1
      || json_set_string (o, "why", c->why) == -1
      || json_set_new (o, "migration", live_settings_json (opts)) == -1
      || json_set_new (o, "candidates", cands) == -1) {
    json_decref (o);
    return NULL;
  }
  return o;
}

/* Parse the options shared by check, migrate and evacuate. */
static int
live_parse (int argc, char **argv, const char *cmd, struct live_cli *l)
{
  enum { OPT_TO = 256, OPT_COPY, OPT_POOL, OPT_BW, OPT_DOWNTIME,
         OPT_PARALLEL, OPT_POSTCOPY, OPT_JSON, OPT_DB, OPT_FALLBACK,
         OPT_SHUTDOWN };
  static const struct option long_options[] = {
    { "to", required_argument, NULL, OPT_TO },
    { "copy-storage", no_argument, NULL, OPT_COPY },
    { "storage-pool", required_argument, NULL, OPT_POOL },
    { "bandwidth", required_argument, NULL, OPT_BW },
    { "max-downtime", required_argument, NULL, OPT_DOWNTIME },
    { "parallel", required_argument, NULL, OPT_PARALLEL },
    { "postcopy", no_argument, NULL, OPT_POSTCOPY },
    { "fallback", required_argument, NULL, OPT_FALLBACK },
    { "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN },
    { "progress", no_argument, NULL, 'p' },
    { "json", no_argument, NULL, OPT_JSON },
    { "db", required_argument, NULL, OPT_DB },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  unsigned long v;
  char *end;
  int c;

  l->progress = isatty (STDERR_FILENO);
  optind = 1;
  while ((c = getopt_long (argc, argv, ":ph", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_TO: l->to = optarg; break;
    case OPT_COPY: l->opts.copy_storage = true; break;
    case OPT_POOL: l->opts.storage_pool = optarg; break;
    case OPT_POSTCOPY: l->opts.postcopy = true; break;
    case OPT_FALLBACK:
      if (strcmp (optarg, "warm") != 0) {
        cli_error ("%s: --fallback \"%s\": the only fallback is \"warm\"",
                   cmd, optarg);
        return -1;
      }
      l->fallback_warm = true;
      break;
    case OPT_SHUTDOWN:
      if (cli_duration_arg (cmd, "--shutdown-timeout", optarg,
                            &l->shutdown_timeout) == -1)
        return -1;
      break;
    case OPT_JSON: l->json = true; break;
    case OPT_DB: l->db = optarg; break;
    case 'p': l->progress = true; break;
    case 'h': live_usage (stdout); return 1;
    case OPT_BW: case OPT_DOWNTIME: case OPT_PARALLEL:
      v = strtoul (optarg, &end, 10);
      if (*optarg < '0' || *optarg > '9' || *end || v == 0 || v > 1000000) {
        cli_error ("%s: \"%s\": expected a positive number", cmd, optarg);
        return -1;
      }
      if (c == OPT_BW)
        l->opts.bandwidth = v;
      else if (c == OPT_DOWNTIME)
        l->opts.max_downtime = v;
      else {
        l->opts.parallel = v;
        l->evacuate_parallel = v;
      }
      break;
    default:
      cli_option_error (cmd, c, argv);
      return -1;
    }
  }
  return 0;
}

/*----------------------------------------------------------------------
 * Warm instead of live: a destination the check ruled out for a live
 * migration (CPU, versions, no shared storage) can still take the VM warm,
 * as long as ferry can reach it.
 */

static const struct live_candidate *
live_warm_destination (const struct live_check *c)
{
  if (c->chosen)
    return NULL;
  for (size_t i = 0; i < c->nr_candidates; i++)
    if (c->candidates[i].reachable)
      return &c->candidates[i];
  return NULL;
}

/* The downtime of a warm migration of the domain, before any sync: its
 * disks digested at an assumed copy rate, plus a shutdown and a start. */
static double
live_warm_predict (const struct live_check *c)
{
  struct warm_rates r = {
    .copy_rate = WARM_COPY_RATE_GUESS,
    .hash_rate = WARM_COPY_RATE_GUESS / WARM_VERIFY_PER_COPY,
    .view_seconds = 1, .shutdown_seconds = WARM_SHUTDOWN_GUESS,
    .define_seconds = WARM_DEFINE_GUESS,
  };
  bool converges;

  for (size_t i = 0; i < c->domain.disks.len; i++)
    r.disk_bytes += c->domain.disks.ptr[i].allocation
                    ? c->domain.disks.ptr[i].allocation
                    : c->domain.disks.ptr[i].capacity;
  return warm_predict_downtime (&r, &converges);
}

static void
live_warm_suggest (const struct live_check *c, const char *name,
                   const struct live_candidate *dest)
{
  printf ("warm: no live migration is possible, a warm one is: the VM is "
          "copied while it runs and stopped only for the cutover, about "
          "%.0f s (estimated before any sync; `ferry plan show` gives the "
          "measured prediction once it syncs):\n"
          "  ferry live migrate %s@%s --to %s --fallback warm\n",
          live_warm_predict (c), name, c->source->name, dest->host->name);
}

/* Move the domain warm to dest: a warm plan with its cutover asked for
 * now (the run seeds, syncs once more and cuts over), run here. */
static int
live_warm_run (struct live_cli *l, const struct live_check *c,
               const char *name, const struct live_candidate *dest)
{
  char plan[256], source[512], *target = NULL;
  const char *sources[1] = { source };
  struct plan_create_options po = {
    .name = plan, .sources = sources, .nr_sources = 1, .mode = "warm",
    .tcg = c->domain.type && strcmp (c->domain.type, "qemu") == 0,
    .shutdown_timeout = l->shutdown_timeout,
  };
  struct plan_run_options ro = { .name = plan };
  struct store *s;
  bool running;
  int r;

  snprintf (plan, sizeof plan, "live-%s-%lld", name, (long long) time (NULL));
  snprintf (source, sizeof source, "kvm:%s/%s", c->source->name, name);
  if (asprintf (&target, "libvirt,start,storage-pool=%s:%s",
                l->opts.storage_pool ? l->opts.storage_pool : "default",
                dest->host->uri) == -1) {
    cli_error ("out of memory");
    return EXIT_ERROR;
  }
  po.target = target;
  printf ("warm: %s -> %s as plan %s\n", name, dest->host->name, plan);
  s = cli_store_open (l->db);
  r = s && plan_create (s, &po, NULL) == 0
      && plan_cutover (s, plan, NULL, 0, 0, &running) == 0 ? 0 : -1;
  store_close (s);
  free (target);
  if (r == -1)
    return cli_fail ();
  return plan_run_and_report (&ro, l->db);
}

static int
live_check_or_migrate (int argc, char **argv, bool migrate)
{
  const char *cmd = migrate ? "live migrate" : "live check";
  struct live_cli l = { 0 };
  struct live_check check = { 0 };
  struct live_callbacks cb = { .progress = live_show_progress };
  struct live_result res = { 0 };
  const struct live_candidate *warm;
  const struct store_host *src;
  virConnectPtr conn;
  char *name = NULL;
  int r, status = EXIT_ERROR;

  r = live_parse (argc, argv, cmd, &l);
  if (r != 0)
    return r == 1 ? 0 : EXIT_ERROR;
  if (l.shutdown_timeout > 0 && !l.fallback_warm) {
    cli_error ("%s: --shutdown-timeout goes with --fallback warm", cmd);
    return EXIT_ERROR;
  }
  if (l.opts.storage_pool && !l.opts.copy_storage && !l.fallback_warm) {
    cli_error ("%s: --storage-pool goes with --copy-storage or --fallback "
               "warm", cmd);
    return EXIT_ERROR;
  }
  if (argc - optind != 1 || l.to == NULL) {
    cli_error ("%s: expected DOMAIN and --to HOST|auto", cmd);
    return cli_usage_error ("live");
  }
  if (live_cli_hosts (&l) == -1
      || cli_domain_locate (&l.stored, argv[optind], &src, &conn, &name)
         == -1) {
    live_cli_free (&l);
    return cli_fail ();
  }
  virConnectClose (conn);
  check.source = &l.hosts[src - l.stored.ptr];
  /* Ctrl-C lets the check remove its markers and cancels a migration. */
  if (interrupt_install () == -1
      || live_check (&l.opts, name, l.to, NULL, &check) == -1
      || interrupt_check () == -1) {
    status = cli_fail ();
    goto out;
  }
  if (!migrate) {
    if (l.json) {
      json_t *j = live_check_json (&l.opts, &check);
      r = json_print (stdout, j);
      json_decref (j);
      if (r == -1) {
        status = cli_fail ();
        goto out;
      }
    }
    else {
      live_print_check (&check);
      live_print_settings (&l.opts);
      if ((warm = live_warm_destination (&check)))
        live_warm_suggest (&check, name, warm);
    }
    status = check.chosen ? 0 : EXIT_DIFFERENT;
    goto out;
  }
  if (!l.json)
    live_print_check (&check);
  if ((warm = live_warm_destination (&check))) {
    if (l.fallback_warm) {
      status = live_warm_run (&l, &check, name, warm);
      goto out;
    }
    if (!l.json)
      live_warm_suggest (&check, name, warm);
  }
  r = live_migrate (&l.opts, &check, l.progress ? &cb : NULL, &res);
  if (l.json) {
    json_t *j = live_result_json (&check, &res,
                                  r == 0 ? NULL : error_message ());
    if (json_print (stdout, j) == -1)
      r = -1;
    json_decref (j);
  }
  if (r == -1) {
    status = cli_fail ();
    goto out;
  }
  if (!l.json)
    printf ("%s: migrated from %s to %s in %.1f s, downtime %" PRIu64
            " ms%s%s\n", name, check.source->name, check.chosen->host->name,
            res.seconds, res.downtime,
            res.max_throttle ? " (auto-converge throttled the guest)" : "",
            res.postcopy ? " (post-copy)" : "");
  status = 0;
out:
  live_check_free (&check);
  live_cli_free (&l);
  free (name);
  return status;
}

int
cmd_live_evacuate (int argc, char **argv)
{
  struct live_cli l = { 0 };
  struct live_callbacks cb = { .progress = live_show_progress };
  json_t *report = NULL;
  int r, status = EXIT_ERROR;

  r = live_parse (argc, argv, "host evacuate", &l);
  if (r != 0)
    return r == 1 ? 0 : EXIT_ERROR;
  if (l.to) {
    cli_error ("host evacuate: --to is not an option here: each VM goes to "
               "the best host that passes (as with live migrate --to auto)");
    return EXIT_ERROR;
  }
  if (l.opts.storage_pool && !l.opts.copy_storage) {
    cli_error ("host evacuate: --storage-pool goes with --copy-storage");
    return EXIT_ERROR;
  }
  if (argc - optind != 1) {
    cli_error ("host evacuate: expected HOST");
    return cli_usage_error ("host");
  }
  /* --parallel is VMs at a time here; each migration uses one
   * connection. */
  l.opts.parallel = 0;
  if (live_cli_hosts (&l) == -1 || interrupt_install () == -1) {
    live_cli_free (&l);
    return cli_fail ();
  }
  r = live_evacuate (&l.opts, argv[optind], l.evacuate_parallel,
                     l.progress ? &cb : NULL, &report);
  if (r == -1) {
    status = cli_fail ();
    goto out;
  }
  if (l.json) {
    if (json_print (stdout, report) == -1) {
      status = cli_fail ();
      goto out;
    }
  }
  else {
    json_t *m, *moved = json_object_get (report, "moved");
    json_t *failed = json_object_get (report, "failed");
    size_t i;

    json_array_foreach (moved, i, m)
      printf ("moved %s to %s in %.1f s (downtime %" JSON_INTEGER_FORMAT
              " ms): %s\n",
              json_string_value (json_object_get (m, "domain")),
              json_string_value (json_object_get (m, "to")),
              json_real_value (json_object_get (m, "seconds")),
              json_integer_value (json_object_get (m, "downtime-ms")),
              json_string_value (json_object_get (m, "why")));
    json_array_foreach (failed, i, m)
      printf ("could not move %s: %s\n",
              json_string_value (json_object_get (m, "domain")),
              json_string_value (json_object_get (m, "error")));
    printf ("host %s: %zu moved, %zu could not move\n", argv[optind],
            json_array_size (moved), json_array_size (failed));
  }
  status = r == 0 ? 0 : EXIT_DIFFERENT;
out:
  json_decref (report);
  live_cli_free (&l);
  return status;
}

int
cmd_live (int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "-h") == 0) {
    live_usage (argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_ERROR : 0;
  }
  if (strcmp (argv[1], "check") == 0)
    return live_check_or_migrate (argc - 1, argv + 1, false);
  if (strcmp (argv[1], "migrate") == 0)
    return live_check_or_migrate (argc - 1, argv + 1, true);
  cli_error ("live: expected 'check' or 'migrate'");
  return cli_usage_error ("live");
}
