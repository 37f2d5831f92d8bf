/* cmd_cpu.c: `ferry cpu compare|baseline|apply-baseline`: the CPU
 * decisions of host/cpu.h on CPUs named the way a user names them (see
 * cpu_usage), and the baseline applied to a domain's definition.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/hosts.h"
#include "host/cpu.h"
#include "host/host.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/json.h"
#include "util/virt.h"

#define CPU_XML_MAX (4 << 20)

static void
cpu_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry cpu compare GUEST HOST [--json]\n"
           "       ferry cpu baseline CPU...\n"
           "       ferry cpu apply-baseline DOMAIN HOST...\n"
           "\n"
           "compare: can a guest with CPU GUEST run on HOST's CPU?  Prints\n"
           "'compatible: ...' (exit 0) or 'incompatible: ...' naming every\n"
           "missing feature (exit 1).\n"
           "baseline: the CPU all of them offer, as libvirt CPU XML; a guest\n"
           "given it can move between all of them (the idea of VMware's EVC).\n"
           "apply-baseline: give DOMAIN the baseline CPU of the HOSTs; it takes\n"
           "effect when the domain is next started.\n"
           "\n"
           "Each CPU is, in this order: a CPU XML file (a <cpu>, a domain or\n"
           "'virsh capabilities' output; a name with '/' or ending in .xml), a\n"
           "registered host (its CPU), a libvirt CPU model (Nehalem, Westmere,\n"
           "SandyBridge, Haswell, Skylake-Client, EPYC, ...: `virsh cpu-models\n"
           "x86_64`), or a domain on a registered host (NAME or NAME@HOST).\n"
           "\n"
           "      --json                    compare: machine-readable\n"
           "      --db PATH                 the store holding the hosts\n"
           "  -h, --help                    this help\n");
}

static bool
cpu_is_file_name (const char *spec)
{
  size_t n = strlen (spec);
  return strchr (spec, '/') || (n > 4 && strcmp (spec + n - 4, ".xml") == 0);
}

static int
cpu_of_host (const struct store_host *h, struct cpu *out)
{
  virConnectPtr conn = cli_host_connect (h);
  CLEANUP_FREE char *caps = NULL;
  CLEANUP_FREE char *label = NULL;
  int r;

  if (conn == NULL)
    return -1;
  caps = virConnectGetCapabilities (conn);
  virConnectClose (conn);
  if (caps == NULL) {
    virt_error_set ("reading the capabilities of host %s", h->name);
    return -1;
  }
  if (asprintf (&label, "host %s", h->name) == -1) {
    label = NULL;
    error_set_errno (errno, "asprintf");
    return -1;
  }
  r = cpu_from_xml (caps, label, out);
  return r;
}

static int
cpu_of_domain (const store_host_vector *hosts, const char *spec,
               struct cpu *out)
{
  const struct store_host *h;
  virConnectPtr conn;
  CLEANUP_FREE char *name = NULL;
  struct host_domain d;
  struct cpu host_cpu;
  int r;

  if (cli_domain_locate (hosts, spec, &h, &conn, &name) == -1)
    return -1;
  r = host_domain_read (conn, name, &d);
  virConnectClose (conn);
  if (r != 0) {
    if (r == 1)
      error_set ("domain %s is gone from host %s", name, h->name);
    return -1;
  }
  *out = d.cpu;
  memset (&d.cpu, 0, sizeof d.cpu);
  host_domain_free (&d);
  if (out->mode == CPU_CUSTOM)
    return 0;
  /* host-model (stopped) or host-passthrough: its host's CPU. */
  if (cpu_of_host (h, &host_cpu) == -1) {
    cpu_free (out);
    return -1;
  }
  r = cpu_resolve_on (out, &host_cpu);
  cpu_free (&host_cpu);
  if (r == -1)
    cpu_free (out);
  return r;
}

/* A CPU as the user named it (see cpu_usage). */
static int
cpu_read_spec (const store_host_vector *hosts, const char *spec,
               struct cpu *out)
{
  const struct store_host *h;

  if (cpu_is_file_name (spec)) {
    CLEANUP_FREE char *xml = NULL;
    size_t len;

    if (io_read_text_file (spec, spec, CPU_XML_MAX, false, &xml, &len)
        == -1)
      return -1;
    return cpu_from_xml (xml, spec, out);
  }
  if ((h = cli_host_find (hosts, spec)) != NULL)
    return cpu_of_host (h, out);
  if (cpu_model_known (spec))
    return cpu_from_model (spec, out);
  if (hosts->len == 0 && !strchr (spec, '@')) {
    error_set ("\"%s\" is not a CPU XML file, a registered host or a libvirt "
               "CPU model (`virsh cpu-models x86_64` lists them); no host is "
               "registered to look for a domain of that name", spec);
    return -1;
  }
  if (cpu_of_domain (hosts, spec, out) == -1) {
    error_prefix ("\"%s\" is not a CPU XML file, a registered host or a "
                  "libvirt CPU model, and as a domain", spec);
    return -1;
  }
  return 0;
}

static int
cpu_compare_cmd (const store_host_vector *hosts, const char *guest_spec,
                 const char *host_spec, bool json)
{
  struct cpu guest, host;
  struct cpu_verdict v;
  CLEANUP_FREE char *missing = NULL;
  int status = EXIT_ERROR;

  if (cpu_read_spec (hosts, guest_spec, &guest) == -1)
    return cli_fail ();
  if (cpu_read_spec (hosts, host_spec, &host) == -1) {
    cpu_free (&guest);
    return cli_fail ();
  }
  if (guest.mode != CPU_CUSTOM && cpu_resolve_on (&guest, &host) == -1)
    goto out;
  if (cpu_compare (&guest, &host, &v) == -1
      || (missing = cpu_features_join (&v.missing)) == NULL)
    goto out;
  status = v.compatible ? 0 : EXIT_DIFFERENT;
  if (json) {
    json_t *o = json_object (), *list = json_array ();
    for (size_t i = 0; o && list && i < v.missing.len; i++)
      json_array_append_new (list, json_string (v.missing.ptr[i]));
    if (o == NULL || list == NULL
        || json_set_string (o, "guest", guest.label) == -1
        || json_set_string (o, "guest-model", guest.model) == -1
        || json_set_string (o, "host", host.label) == -1
        || json_set_string (o, "host-model", host.model) == -1
        || json_set_bool (o, "compatible", v.compatible) == -1
        || json_set_new (o, "missing", list) == -1
        || json_set_string (o, "reason", v.reason) == -1
        || json_print (stdout, o) == -1)
      status = EXIT_ERROR;
    json_decref (o);
  }
  else if (v.compatible)
    printf ("compatible: a guest with the CPU of %s (%s) can run on %s "
            "(%s)\n", guest.label, guest.model, host.label, host.model);
  else if (v.reason)
    printf ("incompatible: %s cannot run a guest with the CPU of %s: %s\n",
            host.label, guest.label, v.reason);
  else
    printf ("incompatible: %s (%s) lacks %zu feature(s) of the guest CPU "
            "%s (%s): %s\n", host.label, host.model, v.missing.len,
            guest.label, guest.model, missing);
  cpu_verdict_free (&v);
out:
  cpu_free (&guest);
  cpu_free (&host);
  return status == EXIT_ERROR ? cli_fail () : status;
}

/* The baseline of the CPUs named by specs, as XML. */
static char *
cpu_baseline_of (const store_host_vector *hosts, char **specs, size_t n)
{
  struct cpu *cpus = calloc (n, sizeof *cpus);
  struct cpu **ptrs = calloc (n, sizeof *ptrs);
  char *xml = NULL;
  size_t read = 0;

  if (cpus == NULL || ptrs == NULL) {
    error_set_errno (errno, "calloc");
    goto out;
  }
  for (; read < n; read++) {
    if (cpu_read_spec (hosts, specs[read], &cpus[read]) == -1)
      goto out;
    ptrs[read] = &cpus[read];
  }
  xml = cpu_baseline (ptrs, n);
out:
  for (size_t i = 0; i < read; i++)
    cpu_free (&cpus[i]);
  free (cpus);
  free (ptrs);
  return xml;
}

/* Replace (or add) the <cpu> of a domain's persistent definition. */
static char *
cpu_domain_with (const char *domain_xml, const char *cpu_xml)
{
  xmlDocPtr doc = virt_xml_read (domain_xml, "domain.xml");
  xmlDocPtr cpu_doc = virt_xml_read (cpu_xml, "cpu.xml");
  xmlNodePtr root, old, fresh, model;
  xmlChar *text = NULL;
  char *out = NULL;
  int len;

  if (doc == NULL || cpu_doc == NULL) {
    error_set ("cannot read the domain's or the baseline's XML");
    goto out;
  }
  root = xmlDocGetRootElement (doc);
  fresh = xmlDocCopyNode (xmlDocGetRootElement (cpu_doc), doc, 1);
  if (fresh == NULL) {
    error_set ("cannot copy the baseline CPU into the domain");
    goto out;
  }
  /* The guest must get exactly this CPU, never a fallback model. */
  model = virt_xml_child (fresh, "model");
  if (model)
    xmlSetProp (model, BAD_CAST "fallback", BAD_CAST "forbid");
  old = virt_xml_child (root, "cpu");
  if (old) {
    xmlReplaceNode (old, fresh);
    xmlFreeNode (old);
  }
  else
    xmlAddChild (root, fresh);
  xmlDocDumpMemory (doc, &text, &len);
  if (text == NULL || (out = strdup ((char *) text)) == NULL)
    error_set ("cannot write the domain's new XML");
out:
  xmlFree (text);
  xmlFreeDoc (doc);
  xmlFreeDoc (cpu_doc);
  return out;
}

static int
cpu_apply_baseline (const store_host_vector *hosts, const char *domain,
                    char **host_specs, size_t n)
{
  const struct store_host *h;
  virConnectPtr conn = NULL;
  virDomainPtr dom = NULL, defined = NULL;
  CLEANUP_FREE char *name = NULL;
  CLEANUP_FREE char *baseline = NULL;
  CLEANUP_FREE char *xml = NULL;
  CLEANUP_FREE char *new_xml = NULL;
  int status = EXIT_ERROR;

  for (size_t i = 0; i < n; i++)
    if (cli_host_find (hosts, host_specs[i]) == NULL) {
      cli_error ("cpu apply-baseline: \"%s\" is not a registered host "
                 "(`ferry host list`)", host_specs[i]);
      return EXIT_ERROR;
    }
  baseline = cpu_baseline_of (hosts, host_specs, n);
  if (baseline == NULL
      || cli_domain_locate (hosts, domain, &h, &conn, &name) == -1)
    return cli_fail ();
  dom = virDomainLookupByName (conn, name);
  if (dom == NULL) {
    virt_error_set ("looking up domain %s on %s", name, h->name);
    goto out;
  }
  if (virDomainIsPersistent (dom) != 1) {
    error_set ("domain %s on %s is transient: there is no definition to "
               "change", name, h->name);
    goto out;
  }
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE
                             | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL) {
    virt_error_set ("reading the definition of %s on %s", name, h->name);
    goto out;
  }
  new_xml = cpu_domain_with (xml, baseline);
  if (new_xml == NULL)
    goto out;
  defined = virDomainDefineXMLFlags (conn, new_xml,
                                     VIR_DOMAIN_DEFINE_VALIDATE);
  if (defined == NULL) {
    virt_error_set ("redefining %s on %s with the baseline CPU", name,
                    h->name);
    goto out;
  }
  fputs (baseline, stdout);
  printf ("%s on %s now has the baseline CPU of %zu host(s).%s\n", name,
          h->name, n, virDomainIsActive (dom) == 1
          ? "  It is running: the new CPU takes effect when it is next "
            "started (shut it down and start it; a reboot from inside the "
            "guest is not enough)."
          : "  It takes effect when the domain is next started.");
  status = 0;
out:
  if (defined)
    virDomainFree (defined);
  if (dom)
    virDomainFree (dom);
  virConnectClose (conn);
  return status == 0 ? 0 : cli_fail ();
}

int
cmd_cpu (int argc, char **argv)
{
  static const struct option long_options[] = {
    { "json", no_argument, NULL, 'j' },
    { "db", required_argument, NULL, 'd' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *db = NULL, *sub;
  bool json = false;
  store_host_vector hosts = empty_vector;
  int c, status;

  if (argc < 2 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "-h") == 0) {
    cpu_usage (argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_ERROR : 0;
  }
  sub = argv[1];
  argc--;
  argv++;
  while ((c = getopt_long (argc, argv, ":h", long_options, NULL)) != -1) {
    switch (c) {
    case 'j': json = true; break;
    case 'd': db = optarg; break;
    case 'h': cpu_usage (stdout); return 0;
    default: return cli_option_error ("cpu", c, argv);
    }
  }
  argc -= optind;
  argv += optind;
  if (cli_hosts_load (db, &hosts) == -1)
    return cli_fail ();
  if (strcmp (sub, "compare") == 0 && argc == 2)
    status = cpu_compare_cmd (&hosts, argv[0], argv[1], json);
  else if (strcmp (sub, "baseline") == 0 && argc >= 1) {
    char *xml = cpu_baseline_of (&hosts, argv, argc);
    status = xml ? 0 : cli_fail ();
    if (xml)
      fputs (xml, stdout);
    free (xml);
  }
  else if (strcmp (sub, "apply-baseline") == 0 && argc >= 2)
    status = cpu_apply_baseline (&hosts, argv[0], argv + 1, argc - 1);
  else {
    cli_error ("cpu: expected 'compare GUEST HOST', 'baseline CPU...' or "
               "'apply-baseline DOMAIN HOST...'");
    status = cli_usage_error ("cpu");
  }
  store_host_vector_free (&hosts);
  return status;
}
