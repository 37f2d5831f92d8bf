/* cmd_plan.c: `ferry plan create|list|show|run|cutover|cancel|delete`:
 * the front end of migration plans (plan/plan.h) and their store
 * (plan/store.h).  Every subcommand takes --db PATH; the default is
 * store_default_path(). */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "plan/plan.h"
#include "plan/store.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/json.h"
#include "util/progress.h"
#include "util/vector.h"

DEFINE_VECTOR_TYPE (string_vector, const char *);

static void
plan_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry plan COMMAND [OPTIONS] ...\n"
           "\n"
           "Migration plans: named sets of VMs going to one target, kept in a\n"
           "database so that a run can be watched, cancelled, and resumed after\n"
           "it was interrupted (finished disk ranges are not copied again).\n"
           "\n"
           "  create NAME [--mode cold|warm] --from SOURCE [--from SOURCE]...\n"
           "         --to TARGET [OPTIONS]\n"
           "  list [--json]\n"
           "  show NAME [--json] [--events N]\n"
           "  run NAME [--parallel N] [-m N] [--retry]\n"
           "  cutover NAME [VM...] [--at TIME]\n"
           "  cancel NAME\n"
           "  delete NAME\n"
           "\n"
           "Every command takes --db PATH (default $FERRY_STATE_DIR/ferry.db, else\n"
           "~/.local/state/ferry/ferry.db).  The states a VM goes through are\n"
           "described in docs/plan-state-machine.md.  Run 'ferry plan COMMAND\n"
           "--help' for a command's options.\n");
}

static void
plan_create_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry plan create NAME [--mode cold|warm] --from SOURCE\n"
           "                         [--from SOURCE]... --to TARGET [OPTIONS]\n"
           "\n"
           "Read and validate every source VM and store the plan.  A VM with a\n"
           "critical finding makes the whole plan refused, unless --force.\n"
           "\n"
           "      --mode cold|warm          cold (default): each VM is copied with\n"
           "                                its source off; warm: copied while it\n"
           "                                runs, kept in sync, then cut over\n"
           "  -F, --from SOURCE             cold: vmx:PATH.vmx, ova:PATH.ova or\n"
           "                                ovf:PATH.ovf; warm: kvm:HOST/DOMAIN,\n"
           "                                HOST added with 'ferry host add'\n"
           "                                (repeatable)\n"
           "  -T, --to TARGET               dir:DIRECTORY or\n"
           "                                libvirt[,storage-pool=P][,start]:URI\n"
           "  -f, --format qcow2|raw        target disk format (default qcow2)\n"
           "      --map-network SRC=DST     as for 'ferry migrate' (repeatable)\n"
           "      --map-storage SRC=DST     as for 'ferry migrate' (repeatable)\n"
           "      --compat                  SATA disks and e1000e NICs\n"
           "      --tcg                     domain type 'qemu'\n"
           "      --force                   store VMs with critical findings too\n"
           "                                (their run fails at validating unless\n"
           "                                the problem was fixed meanwhile)\n"
           "      --db PATH                 the plan database\n"
           "  -h, --help                    this help\n"
           "\n"
           "Warm plans only:\n"
           "      --interval DURATION|auto  time between syncs (default auto:\n"
           "                                from the measured rates)\n"
           "      --cutover TIME            cut over at TIME (default: when asked\n"
           "                                with 'ferry plan cutover')\n"
           "      --max-downtime DURATION   the longest acceptable downtime of\n"
           "                                the cutover (default: no limit)\n"
           "      --shutdown-timeout DURATION\n"
           "                                graceful shutdown of the source before\n"
           "                                it is powered off (default %ds)\n"
           "\n"
           "DURATION: seconds (90) or 90s, 10m, 1h, 1h30m.  TIME: now, +DURATION,\n"
           "HH:MM (the next such local time) or YYYY-MM-DDTHH:MM[:SS][Z] (local\n"
           "time, or UTC with Z).\n", PLAN_SHUTDOWN_TIMEOUT_DEFAULT);
}

static void
plan_run_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry plan run NAME [OPTIONS]\n"
           "\n"
           "Migrate the plan's unfinished VMs: pending ones, ones an interrupted\n"
           "run left in an active state, and cancelled ones (failed ones with\n"
           "--retry).  Each resumes where the database says it was.  Progress\n"
           "goes to stderr.  A warm plan's run syncs its VMs until each is cut\n"
           "over (ferry plan cutover).  Exit status: 0 every VM of the plan is\n"
           "done, 1 the run was cancelled or a cutover rolled back, 2 a VM failed\n"
           "(or is failed and was not retried)\n"
           "or an error; 128+N after signal N (SIGINT: 130, SIGTERM: 143), which\n"
           "stops the run like a cancel: its VMs are left cancelled, resumable.\n"
           "\n"
           "  -j, --parallel N              VMs at a time (default 1)\n"
           "  -m, --workers N               copy workers per VM\n"
           "      --retry                   run failed VMs again too\n"
           "      --checkpoint-interval S   seconds between checkpoints of the\n"
           "                                copy (default 2)\n"
           "      --bandwidth MIB           read at most MIB MiB/s from each source\n"
           "                                disk (spare a busy datastore)\n"
           "      --db PATH                 the plan database\n"
           "  -h, --help                    this help\n");
}

static void
plan_simple_usage (FILE *fp, const char *cmd)
{
  if (strcmp (cmd, "list") == 0)
    fprintf (fp, "Usage: ferry plan list [--json] [--db PATH]\n\n"
             "List the plans with their VMs' states and progress.\n");
  else if (strcmp (cmd, "show") == 0)
    fprintf (fp, "Usage: ferry plan show NAME [--json] [--events N] "
             "[--db PATH]\n\n"
             "Show a plan: per VM its state, progress (bytes, rate, ETA), last\n"
             "events (default 5), findings, disks and digests.\n");
  else if (strcmp (cmd, "cutover") == 0)
    fprintf (fp, "Usage: ferry plan cutover NAME [VM...] [--at TIME] "
             "[--db PATH]\n\n"
             "Cut a warm plan's VMs over (every VM not done when none is\n"
             "named): at TIME (default now; now, +DURATION, HH:MM or\n"
             "YYYY-MM-DDTHH:MM[:SS][Z]).  A running 'plan run' performs it;\n"
             "without one, this command runs the plan itself, as 'plan run'.\n");
  else if (strcmp (cmd, "cancel") == 0)
    fprintf (fp, "Usage: ferry plan cancel NAME [--db PATH]\n\n"
             "Stop the plan's run: a running 'plan run' stops at its next\n"
             "checkpoint (within seconds) and marks its VMs cancelled; without a\n"
             "run, pending and interrupted VMs are marked cancelled now.  A\n"
             "cancelled plan resumes with 'ferry plan run'.\n");
  else
    fprintf (fp, "Usage: ferry plan delete NAME [--db PATH]\n\n"
             "Forget a plan and its history.  Files on the target stay.\n");
}

/* `ferry plan CMD NAME [OPTIONS]`: options come after the name, which
 * getopt's "+" mode would stop at.  Take a leading NAME out of argv (the
 * command name moves up into its slot), or return NULL. */
static const char *
plan_take_name (int *argc, char ***argv)
{
  const char *name;

  if (*argc < 2 || (*argv)[1][0] == '-')
    return NULL;
  name = (*argv)[1];
  (*argv)[1] = (*argv)[0];
  (*argv)++;
  (*argc)--;
  return name;
}

/* The database: --db or the default; the store opened. */
static struct store *
plan_open_store (const char *db, char **path_out)
{
  char *path = db ? strdup (db) : store_default_path ();
  struct store *s;

  if (path == NULL) {
    if (db)
      error_set ("plan: out of memory");
    return NULL;
  }
  s = store_open (path);
  if (s == NULL || path_out == NULL)
    free (path);
  else
    *path_out = path;
  return s;
}

static const char *
plan_bytes (uint64_t n, char *buf, size_t len)
{
  return progress_format_bytes (n, buf, len);
}

static void
plan_print_duration (FILE *fp, double seconds)
{
  long s = (long) seconds;
  if (s >= 3600)
    fprintf (fp, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60)
    fprintf (fp, "%ldm%02lds", s / 60, s % 60);
  else
    fprintf (fp, "%lds", s);
}

/*----------------------------------------------------------------------
 * Callbacks: one line per event on stderr
 */

static pthread_mutex_t plan_ui_lock = PTHREAD_MUTEX_INITIALIZER;

static void
ui_findings (void *opaque, const char *source, const struct vm *vm,
             const finding_vector *f)
{
  if (f->len > 0)
    validate_print (stderr, vm->name, f);
}

static void
ui_state (void *opaque, const char *vm, enum plan_vm_state state,
          const char *message)
{
  pthread_mutex_lock (&plan_ui_lock);
  fprintf (stderr, "%s: [%s] %s\n", vm, plan_vm_state_name (state), message);
  pthread_mutex_unlock (&plan_ui_lock);
}

static void
ui_progress (void *opaque, const char *vm, uint64_t done, uint64_t total,
             double rate)
{
  char b1[32], b2[32], b3[32];

  pthread_mutex_lock (&plan_ui_lock);
  fprintf (stderr, "%s: [copying] %s of %s (%.0f%%), %s/s", vm,
           plan_bytes (done, b1, sizeof b1), plan_bytes (total, b2, sizeof b2),
           total ? 100.0 * done / total : 100.0,
           plan_bytes ((uint64_t) rate, b3, sizeof b3));
  if (rate > 0 && total > done) {
    fputs (", ETA ", stderr);
    plan_print_duration (stderr, (total - done) / rate);
  }
  fputc ('\n', stderr);
  pthread_mutex_unlock (&plan_ui_lock);
}

/*----------------------------------------------------------------------
 * create
 */

/* A TIME option's argument in epoch seconds, not in the past: 0, or -1
 * after saying why on stderr. */
static int
plan_time_arg (const char *cmd, const char *opt, const char *arg,
               double *out)
{
  time_t now = time (NULL), at;

  if (duration_parse_time (arg, now, &at) == -1) {
    cli_error ("%s: %s: %s", cmd, opt, error_message ());
    return -1;
  }
  if (at < now) {
    cli_error ("%s: %s: %s is in the past", cmd, opt, arg);
    return -1;
  }
  *out = at;
  return 0;
}

static int
plan_cmd_create (int argc, char **argv)
{
  enum { OPT_MAP_NETWORK = 256, OPT_MAP_STORAGE, OPT_COMPAT, OPT_TCG,
         OPT_FORCE, OPT_DB, OPT_MODE, OPT_INTERVAL, OPT_CUTOVER,
         OPT_MAX_DOWNTIME, OPT_SHUTDOWN_TIMEOUT };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "from", required_argument, NULL, 'F' },
    { "to", required_argument, NULL, 'T' },
    { "format", required_argument, NULL, 'f' },
    { "map-network", required_argument, NULL, OPT_MAP_NETWORK },
    { "map-storage", required_argument, NULL, OPT_MAP_STORAGE },
    { "compat", no_argument, NULL, OPT_COMPAT },
    { "tcg", no_argument, NULL, OPT_TCG },
    { "force", no_argument, NULL, OPT_FORCE },
    { "db", required_argument, NULL, OPT_DB },
    { "mode", required_argument, NULL, OPT_MODE },
    { "interval", required_argument, NULL, OPT_INTERVAL },
    { "cutover", required_argument, NULL, OPT_CUTOVER },
    { "max-downtime", required_argument, NULL, OPT_MAX_DOWNTIME },
    { "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN_TIMEOUT },
    { NULL, 0, NULL, 0 },
  };
  string_vector sources = empty_vector, nets = empty_vector,
    stores = empty_vector;
  const char *warm_option = NULL;     /* a warm-only option given */
  struct plan_create_options opts = { 0 };
  struct plan_callbacks cb = { .findings = ui_findings };
  struct store *s = NULL;
  const char *db = NULL;
  int c, status = EXIT_ERROR;

  opts.name = plan_take_name (&argc, &argv);
  while ((c = getopt_long (argc, argv, "+:hF:T:f:", long_options, NULL))
         != -1) {
    switch (c) {
    case 'h': plan_create_usage (stdout); status = 0; goto out;
    case 'F':
      if (string_vector_append (&sources, optarg) == -1) {
        status = cli_fail ();
        goto out;
      }
      break;
    case 'T': opts.target = optarg; break;
    case 'f': opts.format = optarg; break;
    case OPT_MAP_NETWORK: case OPT_MAP_STORAGE: {
      struct mapping m = MAPPING_INIT;
      /* checked now, stored as given */
      if (mapping_add (&m, optarg) == -1) {
        cli_error ("plan create: %s: %s", c == OPT_MAP_NETWORK
                   ? "--map-network" : "--map-storage", error_message ());
        mapping_free (&m);
        goto out;
      }
      mapping_free (&m);
      if (string_vector_append (c == OPT_MAP_NETWORK ? &nets : &stores,
                                optarg) == -1) {
        status = cli_fail ();
        goto out;
      }
      break;
    }
    case OPT_COMPAT: opts.compat = true; break;
    case OPT_TCG: opts.tcg = true; break;
    case OPT_FORCE: opts.force = true; break;
    case OPT_DB: db = optarg; break;
    case OPT_MODE:
      if (strcmp (optarg, "cold") != 0 && strcmp (optarg, "warm") != 0) {
        cli_error ("plan create: --mode: expected cold or warm, got '%s'",
                   optarg);
        goto out;
      }
      opts.mode = optarg;
      break;
    case OPT_INTERVAL:
      warm_option = "--interval";
      if (strcmp (optarg, "auto") == 0)
        opts.interval = 0;
      else if (cli_duration_arg ("plan create", "--interval", optarg,
                                  &opts.interval) == -1)
        goto out;
      break;
    case OPT_CUTOVER:
      warm_option = "--cutover";
      if (plan_time_arg ("plan create", "--cutover", optarg,
                         &opts.cutover_at) == -1)
        goto out;
      break;
    case OPT_MAX_DOWNTIME:
      warm_option = "--max-downtime";
      if (cli_duration_arg ("plan create", "--max-downtime", optarg,
                             &opts.max_downtime) == -1)
        goto out;
      break;
    case OPT_SHUTDOWN_TIMEOUT:
      warm_option = "--shutdown-timeout";
      if (cli_duration_arg ("plan create", "--shutdown-timeout", optarg,
                             &opts.shutdown_timeout) == -1)
        goto out;
      break;
    default: status = cli_option_error ("plan create", c, argv); goto out;
    }
  }
  if (warm_option
      && (opts.mode == NULL || strcmp (opts.mode, "warm") != 0)) {
    cli_error ("plan create: %s is for warm plans (--mode warm)",
               warm_option);
    goto out;
  }
  if (opts.name == NULL && optind < argc)
    opts.name = argv[optind++];
  if (optind != argc || opts.name == NULL || sources.len == 0
      || opts.target == NULL) {
    cli_error ("plan create: expected NAME, --from SOURCE and --to TARGET");
    status = cli_usage_error ("plan create");
    goto out;
  }
  opts.sources = sources.ptr;
  opts.nr_sources = sources.len;
  opts.map_network = nets.ptr;
  opts.nr_map_network = nets.len;
  opts.map_storage = stores.ptr;
  opts.nr_map_storage = stores.len;
  s = plan_open_store (db, NULL);
  if (s == NULL || plan_create (s, &opts, &cb) == -1) {
    status = cli_fail ();
    goto out;
  }
  printf ("plan %s: created with %zu VM(s)%s (%s)\n", opts.name,
          sources.len, opts.mode && strcmp (opts.mode, "warm") == 0
          ? ", warm" : "", store_path (s));
  status = 0;
out:
  store_close (s);
  free (sources.ptr);
  free (nets.ptr);
  free (stores.ptr);
  return status;
}

/*----------------------------------------------------------------------
 * list, show
 */

/* Options shared by the small commands: --db, --json, --events, --help. */
struct plan_simple_args {
  const char *db;
  bool json;
  unsigned events;
  const char *name;
};

static int
plan_simple_parse (const char *cmd, bool takes_name, int argc, char **argv,
                   struct plan_simple_args *a)
{
  enum { OPT_DB = 256, OPT_JSON, OPT_EVENTS };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "db", required_argument, NULL, OPT_DB },
    { "json", no_argument, NULL, OPT_JSON },
    { "events", required_argument, NULL, OPT_EVENTS },
    { NULL, 0, NULL, 0 },
  };
  char full[32];
  unsigned long long n;
  int c;

  snprintf (full, sizeof full, "plan %s", cmd);
  a->events = 5;
  a->name = takes_name ? plan_take_name (&argc, &argv) : NULL;
  while ((c = getopt_long (argc, argv, "+:h", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': plan_simple_usage (stdout, cmd); return 0;
    case OPT_DB: a->db = optarg; break;
    case OPT_JSON:
      if (strcmp (cmd, "list") != 0 && strcmp (cmd, "show") != 0)
        return cli_option_error (full, '?', argv);
      a->json = true;
      break;
    case OPT_EVENTS:
      if (strcmp (cmd, "show") != 0)
        return cli_option_error (full, '?', argv);
      if (cli_parse_size (optarg, &n) == -1 || n > 100000) {
        cli_error ("%s: --events: expected a count, got '%s'", full, optarg);
        return EXIT_ERROR;
      }
      a->events = n;
      break;
    default: return cli_option_error (full, c, argv);
    }
  }
  if (takes_name && a->name == NULL && optind < argc)
    a->name = argv[optind++];
  if (optind != argc || (takes_name && a->name == NULL)) {
    cli_error ("%s: %s", full, takes_name ? "expected one plan NAME"
                                          : "unexpected argument");
    return cli_usage_error (full);
  }
  return -1;                    /* go on */
}

static int
plan_cmd_list (int argc, char **argv)
{
  struct plan_simple_args a = { 0 };
  struct store *s;
  json_t *list = NULL, *p;
  size_t i;
  int status;

  if ((status = plan_simple_parse ("list", false, argc, argv, &a)) != -1)
    return status;
  s = plan_open_store (a.db, NULL);
  if (s == NULL || (list = plan_list_json (s)) == NULL) {
    store_close (s);
    return cli_fail ();
  }
  if (a.json) {
    if (json_print (stdout, list) == -1) {
      error_prefix ("plan list");
      status = cli_fail ();
      json_decref (list);
      store_close (s);
      return status;
    }
  }
  else if (json_array_size (list) == 0)
    printf ("no plans (in %s)\n", store_path (s));
  else {
    printf ("%-20s %-5s %-28s %s\n", "PLAN", "VMS", "PROGRESS", "STATES");
    json_array_foreach (list, i, p) {
      char b1[32], b2[32], prog[64];
      const char *key;
      json_t *n;
      uint64_t total = json_integer_value (json_object_get (p, "bytes-total"));
      uint64_t done = json_integer_value (json_object_get (p, "bytes-done"));
      snprintf (prog, sizeof prog, "%s / %s", plan_bytes (done, b1, sizeof b1),
                plan_bytes (total, b2, sizeof b2));
      printf ("%-20s %-5" JSON_INTEGER_FORMAT " %-28s",
              json_string_value (json_object_get (p, "name")),
              json_integer_value (json_object_get (p, "vms")), prog);
      json_object_foreach (json_object_get (p, "states"), key, n)
        printf (" %s=%" JSON_INTEGER_FORMAT, key, json_integer_value (n));
      if (!json_is_null (json_object_get (p, "runner")))
        printf (" (running)");
      putchar ('\n');
    }
  }
  json_decref (list);
  store_close (s);
  return 0;
}

static const char *
js (json_t *o, const char *key)
{
  const char *v = json_string_value (json_object_get (o, key));
  return v ? v : "-";
}

/* A warm VM's cutover time, syncs, predicted and measured downtime. */
static void
plan_print_warm (json_t *v)
{
  static const struct {
    const char *key, *label;
  } phases[] = {
    { "shutdown-seconds", "shutdown" }, { "final-sync-seconds", "final sync" },
    { "verify-seconds", "verify" }, { "adapt-seconds", "adapt" },
    { "define-seconds", "define" }, { "boot-seconds", "boot" },
    { "total-seconds", "total" },
  };
  json_t *syncs = json_object_get (v, "syncs"), *y;
  json_t *predicted = json_object_get (v, "predicted-downtime-seconds");
  json_t *downtime = json_object_get (v, "downtime");
  char b1[32], b2[32], b3[32], b4[32];
  size_t i;

  printf ("    cutover: %s\n", json_is_string (json_object_get (v, "cutover-at"))
          ? js (v, "cutover-at") : "when asked (ferry plan cutover)");
  printf ("    predicted downtime: ");
  if (json_is_number (predicted)) {
    plan_print_duration (stdout, json_number_value (predicted));
    putchar ('\n');
  }
  else
    printf ("not yet known\n");
  if (json_array_size (syncs) > 0) {
    printf ("    syncs:\n      %-3s %-20s %8s %10s %10s %11s %11s\n", "#",
            "started", "seconds", "changed", "copied", "D", "R");
    json_array_foreach (syncs, i, y) {
      printf ("      %-3" JSON_INTEGER_FORMAT " %-20s %8.1f %10s %10s %9s/s "
              "%9s/s%s%s%s\n",
              json_integer_value (json_object_get (y, "index")),
              js (y, "started"),
              json_number_value (json_object_get (y, "seconds")),
              plan_bytes (json_integer_value (json_object_get (
                            y, "bytes-changed")), b1, sizeof b1),
              plan_bytes (json_integer_value (json_object_get (
                            y, "bytes-copied")), b2, sizeof b2),
              plan_bytes ((uint64_t) json_number_value (json_object_get (
                            y, "dirty-rate")), b3, sizeof b3),
              plan_bytes ((uint64_t) json_number_value (json_object_get (
                            y, "copy-rate")), b4, sizeof b4),
              json_is_true (json_object_get (y, "full")) ? " full" : "",
              json_is_true (json_object_get (y, "final")) ? " final" : "",
              json_is_true (json_object_get (y, "finished")) ? ""
                                                            : " (running)");
    }
  }
  if (json_is_object (downtime)) {
    const char *sep = "";
    printf ("    downtime:");
    for (i = 0; i < sizeof phases / sizeof phases[0]; i++) {
      json_t *n = json_object_get (downtime, phases[i].key);
      if (!json_is_number (n))
        continue;
      printf ("%s %s %.1fs", sep, phases[i].label, json_number_value (n));
      sep = ",";
    }
    putchar ('\n');
  }
}

static void
plan_print_vm (json_t *v)
{
  uint64_t total = json_integer_value (json_object_get (v, "bytes-total"));
  uint64_t done = json_integer_value (json_object_get (v, "bytes-done"));
  double rate = json_number_value (json_object_get (v, "rate"));
  json_t *eta = json_object_get (v, "eta-seconds");
  json_t *findings = json_object_get (v, "findings"), *x;
  char b1[32], b2[32], b3[32];
  size_t i;

  printf ("  %s  %s  %s / %s (%.0f%%)", js (v, "name"), js (v, "state"),
          plan_bytes (done, b1, sizeof b1), plan_bytes (total, b2, sizeof b2),
          total ? 100.0 * done / total : 0.0);
  if (rate > 0)
    printf (", %s/s", plan_bytes ((uint64_t) rate, b3, sizeof b3));
  if (json_is_integer (eta)) {
    fputs (", ETA ", stdout);
    plan_print_duration (stdout, json_integer_value (eta));
  }
  putchar ('\n');
  printf ("    source: %s\n", js (v, "source"));
  if (json_is_string (json_object_get (v, "error")))
    printf ("    error: %s\n", js (v, "error"));
  json_array_foreach (json_object_get (v, "disks"), i, x) {
    uint64_t size = json_integer_value (json_object_get (x, "size"));
    uint64_t fin = json_integer_value (json_object_get (x, "finished-bytes"));
    json_t *last = json_object_get (x, "last-copy");
    printf ("    disk %zu: %s -> %s\n      copied %s of %s", i,
            js (x, "source"), js (x, "target"),
            plan_bytes (fin, b1, sizeof b1), plan_bytes (size, b2, sizeof b2));
    if (json_integer_value (json_object_get (x, "copy-runs")) > 1)
      printf (" (%" JSON_INTEGER_FORMAT " runs; the last resumed after %s)",
              json_integer_value (json_object_get (x, "copy-runs")),
              plan_bytes (json_integer_value (json_object_get (last,
                                                  "resumed-bytes")),
                          b3, sizeof b3));
    putchar ('\n');
    if (json_is_string (json_object_get (x, "source-digest")))
      printf ("      sha256-tree source %s\n      sha256-tree target %s%s\n",
              js (x, "source-digest"), js (x, "target-digest"),
              json_is_true (json_object_get (x, "verified"))
              ? " (verified)" : " (DIFFERENT)");
  }
  if (strcmp (js (v, "mode"), "warm") == 0)
    plan_print_warm (v);
  if (json_is_object (findings)) {
    json_t *f;
    size_t k;
    printf ("    findings: %" JSON_INTEGER_FORMAT " critical, %"
            JSON_INTEGER_FORMAT " warning, %" JSON_INTEGER_FORMAT " info\n",
            json_integer_value (json_object_get (findings, "critical")),
            json_integer_value (json_object_get (findings, "warning")),
            json_integer_value (json_object_get (findings, "info")));
    json_array_foreach (json_object_get (findings, "findings"), k, f)
      printf ("      %-8s %-24s %s\n", js (f, "severity"), js (f, "rule"),
              js (f, "message"));
  }
  if (json_array_size (json_object_get (v, "events")) > 0) {
    printf ("    events:\n");
    json_array_foreach (json_object_get (v, "events"), i, x)
      printf ("      %s  %-10s %s\n", js (x, "at"), js (x, "state"),
              js (x, "message"));
  }
}

static int
plan_cmd_show (int argc, char **argv)
{
  struct plan_simple_args a = { 0 };
  struct store *s;
  json_t *plan = NULL, *runner, *v;
  size_t i;
  int status;

  if ((status = plan_simple_parse ("show", true, argc, argv, &a)) != -1)
    return status;
  s = plan_open_store (a.db, NULL);
  if (s == NULL || (plan = plan_show_json (s, a.name, a.events)) == NULL) {
    store_close (s);
    return cli_fail ();
  }
  if (a.json) {
    if (json_print (stdout, plan) == -1) {
      error_prefix ("plan show %s", a.name);
      status = cli_fail ();
      json_decref (plan);
      store_close (s);
      return status;
    }
  }
  else {
    runner = json_object_get (plan, "runner");
    printf ("plan %s: %s%s, %s, created %s\n", js (plan, "name"),
            strcmp (js (plan, "mode"), "warm") == 0 ? "warm, " : "",
            js (plan, "target"), js (plan, "format"), js (plan, "created"));
    if (json_is_object (runner))
      printf ("  running: process %" JSON_INTEGER_FORMAT " on %s since %s%s\n",
              json_integer_value (json_object_get (runner, "pid")),
              js (runner, "host"), js (runner, "since"),
              json_is_true (json_object_get (plan, "cancel-requested"))
              ? " (cancel requested)" : "");
    json_array_foreach (json_object_get (plan, "vms"), i, v)
      plan_print_vm (v);
  }
  json_decref (plan);
  store_close (s);
  return 0;
}

/*----------------------------------------------------------------------
 * run, cutover, cancel, delete
 */

int
plan_run_and_report (struct plan_run_options *opts, const char *db)
{
  struct plan_callbacks cb = { .state = ui_state, .progress = ui_progress };
  struct plan_run_result res;
  char *path = NULL;
  struct store *s;

  /* Create or migrate the database once, before the threads open it. */
  s = plan_open_store (db, &path);
  if (s == NULL)
    return cli_fail ();
  store_close (s);
  opts->db_path = path;
  /* SIGINT/SIGTERM (caught by main): the VMs stop at their next cancel
   * point, cancelled and resumable, and the lock is released; main turns
   * the failure into 128 + the signal. */
  if (plan_run (opts, &cb, &res) == -1) {
    free (path);
    return cli_fail ();
  }
  free (path);
  printf ("plan %s: %zu done, %zu failed, %zu cancelled%s\n", opts->name,
          res.done, res.failed + res.skipped, res.cancelled,
          res.skipped ? " (failed VMs were not retried: --retry)" : "");
  if (res.rolled_back)
    printf ("plan %s: %zu VM(s) rolled back: their sources run again; "
            "'ferry plan run %s' syncs on, 'ferry plan cutover %s' tries "
            "again\n", opts->name, res.rolled_back, opts->name, opts->name);
  if (interrupt_signal ()) {
    cli_error ("plan %s: interrupted by SIG%s; %zu VM(s) cancelled, 'ferry "
               "plan run %s' resumes", opts->name,
               sigabbrev_np (interrupt_signal ()), res.cancelled, opts->name);
    return EXIT_ERROR;
  }
  if (res.failed + res.skipped > 0)
    return EXIT_ERROR;
  return res.cancelled + res.rolled_back > 0 ? EXIT_DIFFERENT : 0;
}

static int
plan_cmd_run (int argc, char **argv)
{
  enum { OPT_RETRY = 256, OPT_DB, OPT_CHECKPOINT, OPT_BANDWIDTH };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "parallel", required_argument, NULL, 'j' },
    { "workers", required_argument, NULL, 'm' },
    { "retry", no_argument, NULL, OPT_RETRY },
    { "checkpoint-interval", required_argument, NULL, OPT_CHECKPOINT },
    { "bandwidth", required_argument, NULL, OPT_BANDWIDTH },
    { "db", required_argument, NULL, OPT_DB },
    { NULL, 0, NULL, 0 },
  };
  struct plan_run_options opts = { 0 };
  const char *db = NULL;
  char *end;
  unsigned long long n;
  int c;

  opts.name = plan_take_name (&argc, &argv);
  while ((c = getopt_long (argc, argv, "+:hj:m:", long_options, NULL))
         != -1) {
    switch (c) {
    case 'h': plan_run_usage (stdout); return 0;
    case 'j':
      if (cli_parse_size (optarg, &n) == -1 || n == 0 || n > 64) {
        cli_error ("plan run: --parallel: expected 1 to 64, got '%s'", optarg);
        return EXIT_ERROR;
      }
      opts.parallel = n;
      break;
    case 'm':
      if (cli_parse_size (optarg, &n) == -1 || n == 0 || n > 16) {
        cli_error ("plan run: -m: expected 1 to 16 workers, got '%s'",
                   optarg);
        return EXIT_ERROR;
      }
      opts.workers = n;
      break;
    case OPT_RETRY: opts.retry = true; break;
    case OPT_CHECKPOINT:
      opts.checkpoint_interval = strtod (optarg, &end);
      if (*end != '\0' || !(opts.checkpoint_interval > 0)
          || opts.checkpoint_interval > 3600) {
        cli_error ("plan run: --checkpoint-interval: expected seconds "
                   "(0 < S <= 3600), got '%s'", optarg);
        return EXIT_ERROR;
      }
      break;
    case OPT_BANDWIDTH:
      if (cli_parse_size (optarg, &n) == -1 || n == 0 || n > (1ull << 24)) {
        cli_error ("plan run: --bandwidth: expected MiB/s (1 to 16777216), "
                   "got '%s'", optarg);
        return EXIT_ERROR;
      }
      opts.bandwidth = n << 20;
      break;
    case OPT_DB: db = optarg; break;
    default: return cli_option_error ("plan run", c, argv);
    }
  }
  if (opts.name == NULL && optind < argc)
    opts.name = argv[optind++];
  if (optind != argc || opts.name == NULL) {
    cli_error ("plan run: expected one plan NAME");
    return cli_usage_error ("plan run");
  }
  return plan_run_and_report (&opts, db);
}

static int
plan_cmd_cutover (int argc, char **argv)
{
  enum { OPT_DB = 256, OPT_AT };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "at", required_argument, NULL, OPT_AT },
    { "db", required_argument, NULL, OPT_DB },
    { NULL, 0, NULL, 0 },
  };
  struct plan_run_options opts = { 0 };
  const char *db = NULL;
  double at = 0;
  char when[64];
  struct store *s;
  bool running;
  int c;

  /* Options may come anywhere: the rest are NAME and the VMs. */
  while ((c = getopt_long (argc, argv, ":h", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': plan_simple_usage (stdout, "cutover"); return 0;
    case OPT_AT:
      if (plan_time_arg ("plan cutover", "--at", optarg, &at) == -1)
        return EXIT_ERROR;
      break;
    case OPT_DB: db = optarg; break;
    default: return cli_option_error ("plan cutover", c, argv);
    }
  }
  if (optind >= argc) {
    cli_error ("plan cutover: expected a plan NAME");
    return cli_usage_error ("plan cutover");
  }
  opts.name = argv[optind++];
  s = plan_open_store (db, NULL);
  if (s == NULL
      || plan_cutover (s, opts.name, (const char *const *) argv + optind,
                       argc - optind, at, &running) == -1) {
    store_close (s);
    return cli_fail ();
  }
  store_close (s);
  if (at > 0) {
    struct tm tm;
    time_t sec = (time_t) at;
    localtime_r (&sec, &tm);
    strftime (when, sizeof when, "for %Y-%m-%d %H:%M:%S %Z", &tm);
  }
  else
    snprintf (when, sizeof when, "now");
  if (running) {
    printf ("plan %s: cutover requested %s; the running 'plan run' "
            "performs it\n", opts.name, when);
    return 0;
  }
  printf ("plan %s: cutover requested %s; no run holds the plan: "
          "running it now\n", opts.name, when);
  fflush (stdout);
  return plan_run_and_report (&opts, db);
}

static int
plan_cmd_cancel (int argc, char **argv)
{
  struct plan_simple_args a = { 0 };
  struct store *s;
  bool running;
  int status;

  if ((status = plan_simple_parse ("cancel", true, argc, argv, &a)) != -1)
    return status;
  s = plan_open_store (a.db, NULL);
  if (s == NULL || plan_cancel (s, a.name, &running) == -1) {
    store_close (s);
    return cli_fail ();
  }
  printf (running ? "plan %s: cancel requested; the run stops at its next "
                    "checkpoint\n"
                  : "plan %s: cancelled (no run was active)\n", a.name);
  store_close (s);
  return 0;
}

static int
plan_cmd_delete (int argc, char **argv)
{
  struct plan_simple_args a = { 0 };
  struct store *s;
  int status;

  if ((status = plan_simple_parse ("delete", true, argc, argv, &a)) != -1)
    return status;
  s = plan_open_store (a.db, NULL);
  if (s == NULL || plan_delete (s, a.name) == -1) {
    store_close (s);
    return cli_fail ();
  }
  printf ("plan %s: deleted (target files were left in place)\n", a.name);
  store_close (s);
  return 0;
}

int
cmd_plan (int argc, char **argv)
{
  static const struct {
    const char *name;
    int (*run) (int argc, char **argv);
  } subcommands[] = {
    { "create", plan_cmd_create },
    { "list", plan_cmd_list },
    { "show", plan_cmd_show },
    { "run", plan_cmd_run },
    { "cutover", plan_cmd_cutover },
    { "cancel", plan_cmd_cancel },
    { "delete", plan_cmd_delete },
  };

  if (argc < 2) {
    cli_error ("plan: expected a command: create, list, show, run, cutover, "
               "cancel or delete");
    return cli_usage_error ("plan");
  }
  if (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0) {
    plan_usage (stdout);
    return 0;
  }
  for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
    if (strcmp (argv[1], subcommands[i].name) == 0) {
      optind = 0;             /* getopt_long starts afresh on argv + 1 */
      return subcommands[i].run (argc - 1, argv + 1);
    }
  cli_error ("plan: unknown command '%s'", argv[1]);
  return cli_usage_error ("plan");
}
