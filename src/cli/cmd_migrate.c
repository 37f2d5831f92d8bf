/* cmd_migrate.c: `ferry migrate --from SOURCE --to TARGET [options]` and
 * `ferry validate SOURCE...`: the front end of the cold migration engine
 * and of the pre-flight rules. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "migrate/migrate.h"
#include "preflight/mapping.h"
#include "preflight/validate.h"
#include "source/source.h"
#include "util/error.h"
#include "util/json.h"
#include "util/progress.h"

static void
migrate_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry migrate --from SOURCE --to TARGET [OPTIONS]\n"
           "\n"
           "Cold-migrate one powered-off VM: inspect, validate, copy every disk,\n"
           "verify the copy against the source by digest, write the KVM domain\n"
           "and a report.  The source is never written to; a failed migration\n"
           "removes what it created.\n"
           "\n"
           "  SOURCE  vmx:PATH.vmx       a VMware VM folder (ESXi datastore copy)\n"
           "          ova:PATH.ova       an OVA archive, read in place\n"
           "          ovf:PATH.ovf       an OVF export (its disks next to it)\n"
           "  TARGET  dir:DIRECTORY      disks, NAME.xml and NAME.report.json\n"
           "          libvirt:URI        disks as volumes of a storage pool, the\n"
           "                             domain defined (libvirt:qemu:///system)\n"
           "\n"
           "  -f, --format qcow2|raw        target disk format (default qcow2)\n"
           "  -n, --name NAME               target VM name (default: the source's)\n"
           "      --map-network SRC=DST     map a source network to a libvirt\n"
           "                                network; '*=DST' sets a default\n"
           "                                (repeatable; default: all to 'default')\n"
           "      --map-storage SRC=DST     put the disks of datastore SRC into\n"
           "                                libvirt pool DST (dir: subdirectory\n"
           "                                DST); '*=DST' sets a default\n"
           "                                (repeatable; default: the target's)\n"
           "      --compat                  SATA disks and e1000e NICs, for guests\n"
           "                                without VirtIO drivers\n"
           "      --tcg                     domain type 'qemu' (no KVM on the target)\n"
           "      --storage-pool NAME       libvirt: the pool (default 'default')\n"
           "      --start                   libvirt: start the domain once defined\n"
           "  -m, --workers N               parallel copy workers\n"
           "  -p, --progress                show progress (default on a terminal)\n"
           "      --json                    print the report as JSON at the end\n"
           "  -h, --help                    this help\n");
}

struct migrate_ui {
  bool progress;
};

static void
ui_step (void *opaque, enum migrate_step step, const char *detail)
{
  fprintf (stderr, "[%s] %s\n", migrate_step_name (step), detail);
}

static void
ui_findings (void *opaque, const struct vm *vm, const finding_vector *f)
{
  if (f->len > 0)
    validate_print (stderr, vm->name, f);
}

static void *
ui_progress_begin (void *opaque, const char *label, uint64_t total)
{
  struct migrate_ui *ui = opaque;
  return ui->progress ? progress_start (label, total, stderr) : NULL;
}

static void
ui_progress_add (void *handle, uint64_t bytes)
{
  progress_add (handle, bytes);
}

static void
ui_progress_end (void *handle)
{
  progress_finish (handle);
}

static int
cli_add_mapping (struct mapping *m, const char *spec, const char *what)
{
  if (mapping_add (m, spec) == -1) {
    cli_error ("migrate: %s: %s", what, error_message ());
    return -1;
  }
  return 0;
}

int
cmd_migrate (int argc, char **argv)
{
  enum { OPT_MAP_NETWORK = 256, OPT_MAP_STORAGE, OPT_COMPAT, OPT_TCG,
         OPT_JSON, OPT_STORAGE_POOL, OPT_START };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "from", required_argument, NULL, 'F' },
    { "to", required_argument, NULL, 'T' },
    { "format", required_argument, NULL, 'f' },
    { "name", required_argument, NULL, 'n' },
    { "map-network", required_argument, NULL, OPT_MAP_NETWORK },
    { "map-storage", required_argument, NULL, OPT_MAP_STORAGE },
    { "compat", no_argument, NULL, OPT_COMPAT },
    { "tcg", no_argument, NULL, OPT_TCG },
    { "workers", required_argument, NULL, 'm' },
    { "progress", no_argument, NULL, 'p' },
    { "json", no_argument, NULL, OPT_JSON },
    { "storage-pool", required_argument, NULL, OPT_STORAGE_POOL },
    { "start", no_argument, NULL, OPT_START },
    { NULL, 0, NULL, 0 },
  };
  struct mapping networks = MAPPING_INIT, storage = MAPPING_INIT;
  struct migrate_options opts = { 0 };
  const char *storage_pool = NULL;
  bool start = false;
  char *target = NULL;
  struct migrate_ui ui = { .progress = isatty (STDERR_FILENO) };
  struct migrate_callbacks cb = {
    .step = ui_step, .findings = ui_findings,
    .progress_begin = ui_progress_begin, .progress_add = ui_progress_add,
    .progress_end = ui_progress_end, .opaque = &ui,
  };
  unsigned long long workers;
  bool json = false;
  json_t *report = NULL;
  int c, status = EXIT_ERROR;

  while ((c = getopt_long (argc, argv, "+:hf:n:m:p", long_options, NULL))
         != -1) {
    switch (c) {
    case 'h': migrate_usage (stdout); status = 0; goto out;
    case 'F': opts.source = optarg; break;
    case 'T': opts.target = optarg; break;
    case 'f': opts.format = optarg; break;
    case 'n': opts.name = optarg; break;
    case OPT_MAP_NETWORK:
      if (cli_add_mapping (&networks, optarg, "--map-network") == -1)
        goto out;
      break;
    case OPT_MAP_STORAGE:
      if (cli_add_mapping (&storage, optarg, "--map-storage") == -1)
        goto out;
      break;
    case OPT_COMPAT: opts.compat = true; break;
    case OPT_TCG: opts.domain_type = "qemu"; break;
    case 'm':
      if (cli_parse_size (optarg, &workers) == -1 || workers == 0
          || workers > 16) {
        cli_error ("migrate: -m: expected 1 to 16 workers, got '%s'", optarg);
        goto out;
      }
      opts.workers = workers;
      break;
    case 'p': ui.progress = true; break;
    case OPT_JSON: json = true; break;
    case OPT_STORAGE_POOL: storage_pool = optarg; break;
    case OPT_START: start = true; break;
    default: status = cli_option_error ("migrate", c, argv); goto out;
    }
  }
  if (optind != argc || opts.source == NULL || opts.target == NULL) {
    cli_error ("migrate: --from SOURCE and --to TARGET are required");
    status = cli_usage_error ("migrate");
    goto out;
  }
  opts.networks = mapping_is_empty (&networks) ? NULL : &networks;
  opts.storage = mapping_is_empty (&storage) ? NULL : &storage;
  /* Target options travel in the spec: KIND,OPTION...:LOCATION. */
  if (storage_pool || start) {
    const char *colon = strchr (opts.target, ':');
    if (colon == NULL) {
      cli_error ("migrate: --to %s: expected KIND:LOCATION", opts.target);
      goto out;
    }
    if (asprintf (&target, "%.*s%s%s%s%s", (int) (colon - opts.target),
                  opts.target, storage_pool ? ",storage-pool=" : "",
                  storage_pool ? storage_pool : "", start ? ",start" : "",
                  colon) == -1) {
      cli_error ("migrate: out of memory");
      goto out;
    }
    opts.target = target;
  }

  if (migrate_cold (&opts, &cb, &report) == -1) {
    status = cli_fail ();
    goto out;
  }
  if (json) {
    if (json_print (stdout, report) == -1) {
      status = cli_fail ();
      goto out;
    }
  }
  else {
    json_t *disks = json_object_get (report, "disks"), *d;
    size_t i;
    printf ("%s: migrated and verified\n",
            json_string_value (json_object_get (report, "name")));
    json_array_foreach (disks, i, d)
      printf ("  disk %zu: %s\n    sha256-tree %s (source and target)\n", i,
              json_string_value (json_object_get (d, "target")),
              json_string_value (json_object_get (d, "target-digest")));
    printf ("  domain: %s\n",
            json_string_value (json_object_get (report, "domain-xml")));
  }
  status = 0;
out:
  free (target);
  json_decref (report);
  mapping_free (&networks);
  mapping_free (&storage);
  return status;
}

static void
validate_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry validate [--json] [--warm] [--compat]\n"
           "                      [--map-network SRC=DST]...\n"
           "                      [--map-storage SRC=DST]... SOURCE...\n"
           "\n"
           "Run the pre-flight rules on each source VM and print the findings:\n"
           "CRITICAL blocks a migration, WARNING and INFO do not.  The rules are\n"
           "described in docs/validation.md.  Exit status: 0 when no VM has a\n"
           "critical finding, 1 when one has, 2 on error.\n"
           "\n"
           "  SOURCE  vmx:PATH.vmx\n"
           "      --warm                judge for a warm migration: changed block\n"
           "                            tracking and independent disks matter\n"
           "      --compat              judge for migrate --compat (SATA disks,\n"
           "                            e1000e NICs instead of VirtIO)\n"
           "      --map-network SRC=DST, --map-storage SRC=DST  as for migrate\n"
           "      --json                machine-readable output (an array)\n"
           "  -h, --help                this help\n");
}

int
cmd_validate (int argc, char **argv)
{
  enum { OPT_MAP_NETWORK = 256, OPT_MAP_STORAGE, OPT_JSON, OPT_WARM,
         OPT_COMPAT };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "map-network", required_argument, NULL, OPT_MAP_NETWORK },
    { "map-storage", required_argument, NULL, OPT_MAP_STORAGE },
    { "json", no_argument, NULL, OPT_JSON },
    { "warm", no_argument, NULL, OPT_WARM },
    { "compat", no_argument, NULL, OPT_COMPAT },
    { NULL, 0, NULL, 0 },
  };
  struct mapping networks = MAPPING_INIT, storage = MAPPING_INIT;
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;
  bool json = false, blocked = false;
  json_t *all = NULL;
  int c, status = EXIT_ERROR;

  while ((c = getopt_long (argc, argv, "+:h", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': validate_usage (stdout); status = 0; goto out;
    case OPT_MAP_NETWORK:
      if (cli_add_mapping (&networks, optarg, "--map-network") == -1)
        goto out;
      break;
    case OPT_MAP_STORAGE:
      if (cli_add_mapping (&storage, optarg, "--map-storage") == -1)
        goto out;
      break;
    case OPT_JSON: json = true; break;
    case OPT_WARM: ctx.warm = true; break;
    case OPT_COMPAT: ctx.compat = true; break;
    default: status = cli_option_error ("validate", c, argv); goto out;
    }
  }
  if (optind >= argc) {
    cli_error ("validate: expected at least one SOURCE");
    status = cli_usage_error ("validate");
    goto out;
  }
  ctx.networks = mapping_is_empty (&networks) ? NULL : &networks;
  ctx.storage = mapping_is_empty (&storage) ? NULL : &storage;
  all = json_array ();
  for (int i = optind; i < argc; i++) {
    struct vm vm = VM_INIT;
    finding_vector findings = empty_vector;
    int r;

    if (source_read (argv[i], &vm) == -1) {
      status = cli_fail ();
      goto out;
    }
    r = validate_vm (&vm, &ctx, &findings);
    if (r == 0) {
      blocked |= validate_blocks (&findings);
      if (json)
        r = json_array_append_new (all, validate_findings_json (vm.name,
                                                                &findings));
      else if (findings.len == 0)
        printf ("%s: no findings\n", vm.name);
      else
        validate_print (stdout, vm.name, &findings);
    }
    validate_findings_free (&findings);
    vm_free (&vm);
    if (r == -1) {
      status = cli_fail ();
      goto out;
    }
  }
  if (json && json_print (stdout, all) == -1) {
    status = cli_fail ();
    goto out;
  }
  status = blocked ? EXIT_DIFFERENT : 0;
out:
  json_decref (all);
  mapping_free (&networks);
  mapping_free (&storage);
  return status;
}
