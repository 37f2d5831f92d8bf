/* cmd_host.c: `ferry host add|list|remove|evacuate`: the KVM hosts live
 * migrations move VMs between.  The registry (name, URI, memory limit)
 * lives in the store; everything else is read live from each host
 * (host/host.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/hosts.h"
#include "host/host.h"
#include "util/error.h"
#include "util/json.h"
#include "util/progress.h"

static void
host_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry host add NAME URI [--memory-limit SIZE]\n"
           "       ferry host list [--json]\n"
           "       ferry host remove NAME\n"
           "       ferry host evacuate HOST [--parallel N] [LIVE OPTIONS]\n"
           "\n"
           "The KVM hosts that live migrations move VMs between, each a libvirt\n"
           "URI (qemu:///system, qemu+ssh://kvm03/system, ...).  list shows each\n"
           "host's CPU, memory, running VMs, libvirt and QEMU versions and\n"
           "whether KVM is usable.  evacuate moves every running VM off HOST,\n"
           "each to a compatible host with room (see 'ferry live --help').\n"
           "\n"
           "      --memory-limit SIZE       guest memory ferry may place on the\n"
           "                                host (e.g. 64G; default: what is free)\n"
           "      --json                    list: machine-readable\n"
           "      --db PATH                 the store (default as for plans)\n"
           "  -h, --help                    this help\n");
}

static int
host_add (const char *db, const char *name, const char *uri,
          uint64_t memory_limit)
{
  struct store_host h = { .name = (char *) name, .uri = (char *) uri,
                          .memory_limit = memory_limit };
  struct host_facts facts;
  virConnectPtr conn;
  struct store *s;
  int r;

  if (name[0] == '\0' || strchr (name, '@') || strchr (name, '/')) {
    cli_error ("host add: \"%s\": a host name may not be empty or contain "
               "'@' or '/'", name);
    return EXIT_ERROR;
  }
  /* A host that does not answer is not registered. */
  conn = cli_host_connect (&h);
  if (conn == NULL)
    return cli_fail ();
  r = host_read (conn, name, uri, memory_limit, &facts);
  virConnectClose (conn);
  if (r == -1)
    return cli_fail ();
  s = cli_store_open (db);
  if (s == NULL || store_host_add (s, &h) == -1) {
    store_close (s);
    host_facts_free (&facts);
    return cli_fail ();
  }
  store_close (s);
  printf ("host %s: %s, %s %s, %u CPUs, %s KVM\n", name, uri,
          facts.cpu.vendor ? facts.cpu.vendor : "", facts.cpu.model,
          facts.cpus, facts.kvm ? "with" : "without");
  host_facts_free (&facts);
  return 0;
}

static int
host_remove (const char *db, const char *name)
{
  struct store *s = cli_store_open (db);
  int r;

  if (s == NULL)
    return cli_fail ();
  r = store_host_remove (s, name);
  store_close (s);
  if (r == -1)
    return cli_fail ();
  if (r == 1) {
    cli_error ("host remove: no host \"%s\" is registered", name);
    return EXIT_ERROR;
  }
  return 0;
}

static json_t *
host_names_json (const host_name_vector *v)
{
  json_t *a = json_array ();

  for (size_t i = 0; a && i < v->len; i++)
    json_array_append_new (a, json_string (v->ptr[i]));
  return a;
}

static json_t *
host_facts_json (const struct host_facts *f)
{
  json_t *o = json_object (), *cpu = json_object (), *features = json_array ();
  char v1[32], v2[32];

  for (size_t i = 0; features && i < f->cpu.features.len; i++)
    json_array_append_new (features, json_string (f->cpu.features.ptr[i]));
  if (o == NULL || cpu == NULL || features == NULL
      || json_set_string (cpu, "vendor", f->cpu.vendor) == -1
      || json_set_string (cpu, "model", f->cpu.model) == -1
      || json_set_new (cpu, "features", features) == -1
      || json_set_string (o, "name", f->name) == -1
      || json_set_string (o, "uri", f->uri) == -1
      || json_set_bool (o, "reachable", 1) == -1
      || json_set_string (o, "hostname", f->hostname) == -1
      || json_set_string (o, "host-uuid", f->host_uuid) == -1
      || json_set_new (o, "cpu", cpu) == -1
      || json_set_u64 (o, "cpus", f->cpus) == -1
      || json_set_u64 (o, "memory-total", f->memory_total) == -1
      || json_set_u64 (o, "memory-free", f->memory_free) == -1
      || json_set_u64 (o, "memory-limit", f->memory_limit) == -1
      || json_set_u64 (o, "memory-guests", f->memory_guests) == -1
      || json_set_u64 (o, "memory-available", f->memory_available) == -1
      || json_set_u64 (o, "running-vms", f->running) == -1
      || json_set_new (o, "vms", host_names_json (&f->domains)) == -1
      || json_set_string (o, "libvirt-version",
                          host_version_text (f->libvirt_version, v1)) == -1
      || json_set_string (o, "qemu-version",
                          host_version_text (f->qemu_version, v2)) == -1
      || json_set_bool (o, "kvm", f->kvm) == -1) {
    json_decref (o);
    return NULL;
  }
  return o;
}

static int
host_list (const char *db, bool json)
{
  store_host_vector hosts = empty_vector;
  json_t *all = json ? json_array () : NULL;
  int status = 0;

  if (cli_hosts_load (db, &hosts) == -1)
    return cli_fail ();
  if (!json && hosts.len == 0)
    printf ("no host is registered (ferry host add NAME URI)\n");
  else if (!json)
    printf ("%-12s %-8s %-16s %5s %10s %10s %4s %-8s %-8s %s\n", "NAME",
            "VENDOR", "CPU MODEL", "CPUS", "MEM FREE", "AVAILABLE", "VMS",
            "LIBVIRT", "QEMU", "KVM");
  for (size_t i = 0; i < hosts.len; i++) {
    const struct store_host *h = &hosts.ptr[i];
    virConnectPtr conn = cli_host_connect (h);
    struct host_facts f;
    char free_text[32], avail[32], v1[32], v2[32];

    if (conn == NULL || host_read (conn, h->name, h->uri, h->memory_limit,
                                   &f) == -1) {
      /* One unreachable host does not hide the others. */
      if (json) {
        json_t *o = json_object ();
        json_set_string (o, "name", h->name);
        json_set_string (o, "uri", h->uri);
        json_set_bool (o, "reachable", 0);
        json_set_string (o, "error", error_message ());
        json_array_append_new (all, o);
      }
      else
        printf ("%-12s unreachable: %s\n", h->name, error_message ());
      if (conn)
        virConnectClose (conn);
      status = EXIT_DIFFERENT;
      continue;
    }
    virConnectClose (conn);
    if (json)
      json_array_append_new (all, host_facts_json (&f));
    else
      printf ("%-12s %-8s %-16s %5u %10s %10s %4u %-8s %-8s %s\n", h->name,
              f.cpu.vendor ? f.cpu.vendor : "-", f.cpu.model, f.cpus,
              progress_format_bytes (f.memory_free, free_text,
                                     sizeof free_text),
              progress_format_bytes (f.memory_available, avail,
                                     sizeof avail),
              f.running, host_version_text (f.libvirt_version, v1),
              host_version_text (f.qemu_version, v2), f.kvm ? "yes" : "no");
    host_facts_free (&f);
  }
  if (json && json_print (stdout, all) == -1)
    status = cli_fail ();
  json_decref (all);
  store_host_vector_free (&hosts);
  return status;
}

int
cmd_host (int argc, char **argv)
{
  static const struct option long_options[] = {
    { "memory-limit", required_argument, NULL, 'M' },
    { "json", no_argument, NULL, 'j' },
    { "db", required_argument, NULL, 'd' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *db = NULL, *sub;
  unsigned long long limit = 0;
  bool json = false;
  int c;

  if (argc < 2 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "-h") == 0) {
    host_usage (argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_ERROR : 0;
  }
  sub = argv[1];
  if (strcmp (sub, "evacuate") == 0)
    return cmd_live_evacuate (argc - 1, argv + 1);
  argc--;
  argv++;
  while ((c = getopt_long (argc, argv, ":h", long_options, NULL)) != -1) {
    switch (c) {
    case 'M':
      if (cli_parse_size (optarg, &limit) == -1 || limit == 0) {
        cli_error ("host: --memory-limit \"%s\": expected a size such as "
                   "16G", optarg);
        return EXIT_ERROR;
      }
      break;
    case 'j': json = true; break;
    case 'd': db = optarg; break;
    case 'h': host_usage (stdout); return 0;
    default: return cli_option_error ("host", c, argv);
    }
  }
  argc -= optind;
  argv += optind;
  /* An option another subcommand takes is refused, never ignored. */
  if (limit && strcmp (sub, "add") != 0) {
    cli_error ("host %s: --memory-limit goes with 'host add' (the limit is "
               "registered with the host)", sub);
    return EXIT_ERROR;
  }
  if (json && strcmp (sub, "list") != 0) {
    cli_error ("host %s: --json goes with 'host list'", sub);
    return EXIT_ERROR;
  }
  if (strcmp (sub, "add") == 0 && argc == 2)
    return host_add (db, argv[0], argv[1], limit);
  if (strcmp (sub, "list") == 0 && argc == 0)
    return host_list (db, json);
  if (strcmp (sub, "remove") == 0 && argc == 1)
    return host_remove (db, argv[0]);
  cli_error ("host: expected 'add NAME URI', 'list', 'remove NAME' or "
             "'evacuate HOST'");
  return cli_usage_error ("host");
}
