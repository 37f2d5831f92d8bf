/* cpu.c: CPU definitions, compare and baseline (see cpu.h).
 *
 * Every CPU is reduced to one form, the one libvirt uses for a host CPU:
 *
 *   <cpu><arch>A</arch><model>M</model><vendor>V</vendor>
 *        <feature name='F'/>...</cpu>
 *
 * and expanded by libvirt into model + every feature the model implies.
 * A guest's features with policy 'require' or 'force' count as needed;
 * 'disable' and 'forbid' ones are taken out after the expansion;
 * 'optional' ones are not needed (QEMU drops them where missing).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/cpu.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/virt.h"

/* libvirt's CPU map, without a daemon. */
static virConnectPtr
cpu_map_connect (void)
{
  return virt_connect ("test:///default");
}

static int
cpu_feature_compare (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static bool
cpu_features_has (const cpu_feature_vector *v, const char *name)
{
  return v->len > 0 && bsearch (&name, v->ptr, v->len, sizeof (char *),
                                cpu_feature_compare) != NULL;
}

static int
cpu_features_add (cpu_feature_vector *v, const char *name)
{
  char *copy = strdup (name);

  if (copy == NULL || cpu_feature_vector_append (v, copy) == -1) {
    if (copy == NULL)
      error_set_errno (errno, "cpu: strdup");
    free (copy);
    return -1;
  }
  return 0;
}

static void
cpu_features_free (cpu_feature_vector *v)
{
  for (size_t i = 0; i < v->len; i++)
    free (v->ptr[i]);
  cpu_feature_vector_reset (v);
}

/* Sort and drop duplicates. */
static void
cpu_features_sort (cpu_feature_vector *v)
{
  size_t n = 0;

  if (v->len == 0)
    return;
  qsort (v->ptr, v->len, sizeof (char *), cpu_feature_compare);
  for (size_t i = 1; i < v->len; i++) {
    if (strcmp (v->ptr[i], v->ptr[n]) == 0)
      free (v->ptr[i]);
    else
      v->ptr[++n] = v->ptr[i];
  }
  v->len = n + 1;
}

char *
cpu_features_join (const cpu_feature_vector *features)
{
  size_t len = 1;
  char *s, *p;

  for (size_t i = 0; i < features->len; i++)
    len += strlen (features->ptr[i]) + 2;
  s = p = malloc (len);
  if (s == NULL) {
    error_set_errno (errno, "cpu: malloc");
    return NULL;
  }
  *p = '\0';
  for (size_t i = 0; i < features->len; i++)
    p += sprintf (p, "%s%s", i ? ", " : "", features->ptr[i]);
  return s;
}

void
cpu_free (struct cpu *cpu)
{
  free (cpu->label);
  free (cpu->arch);
  free (cpu->vendor);
  free (cpu->model);
  cpu_features_free (&cpu->features);
  memset (cpu, 0, sizeof *cpu);
}

void
cpu_verdict_free (struct cpu_verdict *v)
{
  cpu_features_free (&v->missing);
  free (v->reason);
  memset (v, 0, sizeof *v);
}

/* Append s to the growing text *buf (length *len); -1 on ENOMEM. */
static int
cpu_text_add (char **buf, size_t *len, const char *s)
{
  size_t n = strlen (s);
  char *p = realloc (*buf, *len + n + 1);

  if (p == NULL) {
    error_set_errno (errno, "cpu: realloc");
    return -1;
  }
  memcpy (p + *len, s, n + 1);
  *buf = p;
  *len += n;
  return 0;
}

/* Append OPEN + text (XML-escaped) + CLOSE; nothing when text is NULL. */
static int
cpu_text_add_element (char **buf, size_t *len, const char *open,
                      const char *text, const char *close)
{
  xmlChar *esc;
  int r;

  if (text == NULL)
    return 0;
  esc = xmlEncodeSpecialChars (NULL, BAD_CAST text);
  if (esc == NULL) {
    error_set ("cpu: cannot escape \"%s\"", text);
    return -1;
  }
  r = cpu_text_add (buf, len, open) | cpu_text_add (buf, len, (char *) esc)
    | cpu_text_add (buf, len, close);
  xmlFree (esc);
  return r;
}

/* The host form of cpu (see the top of the file).  Names come from
 * libvirt's XML or its CPU map, but are escaped anyway. */
static char *
cpu_host_xml (const struct cpu *cpu)
{
  char *buf = NULL;
  size_t len = 0;
  int r;

  r = cpu_text_add (&buf, &len, "<cpu>")
    | cpu_text_add_element (&buf, &len, "<arch>", cpu->arch, "</arch>")
    | cpu_text_add_element (&buf, &len, "<model>", cpu->model, "</model>")
    | cpu_text_add_element (&buf, &len, "<vendor>", cpu->vendor, "</vendor>");
  for (size_t i = 0; r == 0 && i < cpu->features.len; i++)
    r = cpu_text_add_element (&buf, &len, "<feature name='",
                              cpu->features.ptr[i], "'/>");
  if (r == 0)
    r = cpu_text_add (&buf, &len, "</cpu>");
  if (r != 0) {
    free (buf);
    return NULL;
  }
  return buf;
}

/* *out = a malloc'd copy of the text of node's child element name, or
 * NULL when there is none. */
static int
cpu_xml_text (xmlNodePtr node, const char *name, char **out)
{
  char *text = virt_xml_child_text (node, name);

  *out = NULL;
  if (text == NULL)
    return 0;
  *out = strdup (text);
  xmlFree (text);
  if (*out == NULL) {
    error_set_errno (errno, "cpu: strdup");
    return -1;
  }
  return 0;
}

/* Features of a <cpu> node: needed ones into want, disabled ones into
 * unwanted. */
static int
cpu_read_features (xmlNodePtr node, cpu_feature_vector *want,
                   cpu_feature_vector *unwanted)
{
  int r = 0;

  for (xmlNodePtr f = node->children; f && r == 0; f = f->next) {
    xmlChar *name, *policy;

    if (!virt_xml_is (f, "feature"))
      continue;
    name = xmlGetProp (f, BAD_CAST "name");
    policy = xmlGetProp (f, BAD_CAST "policy");
    if (name == NULL)
      r = 0;
    else if (policy == NULL || xmlStrEqual (policy, BAD_CAST "require")
             || xmlStrEqual (policy, BAD_CAST "force"))
      r = cpu_features_add (want, (char *) name);
    else if (xmlStrEqual (policy, BAD_CAST "disable")
             || xmlStrEqual (policy, BAD_CAST "forbid"))
      r = cpu_features_add (unwanted, (char *) name);
    xmlFree (name);
    xmlFree (policy);
  }
  return r;
}

/* Expand a CUSTOM cpu whose features are its extra ones: ask libvirt for
 * the model's full set, then take the unwanted ones out. */
static int
cpu_expand (struct cpu *cpu, const cpu_feature_vector *unwanted)
{
  CLEANUP_FREE char *xml = NULL;
  char *expanded = NULL;
  const char *xmls[1];
  virConnectPtr conn;
  xmlDocPtr doc = NULL;
  xmlNodePtr root;
  cpu_feature_vector all = empty_vector, none = empty_vector;
  size_t kept = 0;
  int r = -1;

  xml = cpu_host_xml (cpu);
  if (xml == NULL)
    return -1;
  conn = cpu_map_connect ();
  if (conn == NULL)
    return -1;
  xmls[0] = xml;
  expanded = virConnectBaselineCPU (conn, xmls, 1,
                                    VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES);
  if (expanded == NULL) {
    virt_error_set ("%s: CPU model \"%s\"", cpu->label, cpu->model);
    goto out;
  }
  doc = virt_xml_read (expanded, "cpu.xml");
  if (doc == NULL) {
    error_set ("%s: cannot read libvirt's expansion of the CPU", cpu->label);
    goto out;
  }
  root = xmlDocGetRootElement (doc);
  if (cpu_read_features (root, &all, &none) == -1)
    goto out;
  /* cpu's extra features are in the expansion: start again from it. */
  cpu_features_free (&cpu->features);
  cpu->features = all;
  all = (cpu_feature_vector) empty_vector;
  for (size_t i = 0; i < cpu->features.len; i++) {
    if (unwanted && cpu_features_has (unwanted, cpu->features.ptr[i]))
      free (cpu->features.ptr[i]);
    else
      cpu->features.ptr[kept++] = cpu->features.ptr[i];
  }
  cpu->features.len = kept;
  cpu_features_sort (&cpu->features);
  if (cpu->vendor == NULL && cpu_xml_text (root, "vendor", &cpu->vendor) == -1)
    goto out;
  r = 0;
out:
  cpu_features_free (&all);
  cpu_features_free (&none);
  xmlFreeDoc (doc);
  free (expanded);
  virConnectClose (conn);
  return r;
}

/* The <cpu> node of a <cpu>, <domain> or <capabilities> document; *arch
 * gets a domain's architecture.  NULL (no error) for a domain without
 * one. */
static xmlNodePtr
cpu_find_node (xmlNodePtr root, const char *label, char **arch, int *err)
{
  *err = 0;
  if (virt_xml_is (root, "cpu"))
    return root;
  if (virt_xml_is (root, "capabilities")) {
    xmlNodePtr cpu = virt_xml_child (virt_xml_child (root, "host"), "cpu");
    if (cpu == NULL) {
      error_set ("%s: the capabilities have no host CPU", label);
      *err = -1;
    }
    return cpu;
  }
  if (virt_xml_is (root, "domain")) {
    xmlNodePtr type = virt_xml_child (virt_xml_child (root, "os"), "type");
    xmlChar *a = type ? xmlGetProp (type, BAD_CAST "arch") : NULL;

    if (a) {
      *arch = strdup ((char *) a);
      xmlFree (a);
      if (*arch == NULL) {
        error_set_errno (errno, "cpu: strdup");
        *err = -1;
        return NULL;
      }
    }
    return virt_xml_child (root, "cpu");
  }
  error_set ("%s: not a libvirt CPU, domain or capabilities XML (the root "
             "element is <%s>)", label, (const char *) root->name);
  *err = -1;
  return NULL;
}

int
cpu_from_xml (const char *xml, const char *label, struct cpu *out)
{
  xmlDocPtr doc;
  xmlNodePtr node;
  xmlChar *mode = NULL;
  cpu_feature_vector unwanted = empty_vector;
  char *domain_arch = NULL;
  int err, r = -1;

  memset (out, 0, sizeof *out);
  doc = virt_xml_read (xml, label);
  if (doc == NULL) {
    error_set ("%s: not an XML document", label);
    return -1;
  }
  out->label = strdup (label);
  if (out->label == NULL) {
    error_set_errno (errno, "cpu: strdup");
    goto out;
  }
  node = cpu_find_node (xmlDocGetRootElement (doc), label, &domain_arch,
                        &err);
  if (err)
    goto out;
  if (node) {
    mode = xmlGetProp (node, BAD_CAST "mode");
    if (cpu_xml_text (node, "arch", &out->arch) == -1
        || cpu_xml_text (node, "model", &out->model) == -1
        || cpu_xml_text (node, "vendor", &out->vendor) == -1
        || cpu_read_features (node, &out->features, &unwanted) == -1)
      goto out;
  }
  if (out->arch == NULL) {
    out->arch = domain_arch ? domain_arch : strdup ("x86_64");
    domain_arch = NULL;
    if (out->arch == NULL) {
      error_set_errno (errno, "cpu: strdup");
      goto out;
    }
  }
  if (mode && (xmlStrEqual (mode, BAD_CAST "host-passthrough")
               || xmlStrEqual (mode, BAD_CAST "maximum")))
    out->mode = CPU_HOST_PASSTHROUGH;
  else if (mode && xmlStrEqual (mode, BAD_CAST "host-model")
           && out->model == NULL)
    out->mode = CPU_HOST_MODEL;
  else if (out->model == NULL && node == NULL
           && (out->model = strdup ("qemu64")) == NULL) {
    error_set_errno (errno, "cpu: strdup");
    goto out;
  }
  if (out->mode == CPU_CUSTOM) {
    if (out->model == NULL) {
      error_set ("%s: the CPU names no model", label);
      goto out;
    }
    cpu_features_sort (&unwanted);
    if (cpu_expand (out, &unwanted) == -1)
      goto out;
  }
  r = 0;
out:
  if (r == -1)
    cpu_free (out);
  cpu_features_free (&unwanted);
  free (domain_arch);
  xmlFree (mode);
  xmlFreeDoc (doc);
  return r;
}

int
cpu_from_model (const char *model, struct cpu *out)
{
  memset (out, 0, sizeof *out);
  out->label = strdup (model);
  out->arch = strdup ("x86_64");
  out->model = strdup (model);
  if (out->label == NULL || out->arch == NULL || out->model == NULL) {
    error_set_errno (errno, "cpu: strdup");
    cpu_free (out);
    return -1;
  }
  if (cpu_expand (out, NULL) == -1) {
    cpu_free (out);
    return -1;
  }
  return 0;
}

bool
cpu_model_known (const char *model)
{
  virConnectPtr conn = cpu_map_connect ();
  char **models = NULL;
  int n;
  bool known = false;

  if (conn == NULL)
    return false;
  n = virConnectGetCPUModelNames (conn, "x86_64", &models, 0);
  for (int i = 0; i < n; i++) {
    if (strcmp (models[i], model) == 0)
      known = true;
    free (models[i]);
  }
  free (models);
  virConnectClose (conn);
  return known;
}

/* Copy model, vendor and features of from into to (replacing its own). */
static int
cpu_copy_definition (struct cpu *to, const struct cpu *from)
{
  char *model = NULL, *vendor = NULL;
  cpu_feature_vector features = empty_vector;

  if ((from->model && (model = strdup (from->model)) == NULL)
      || (from->vendor && (vendor = strdup (from->vendor)) == NULL)) {
    error_set_errno (errno, "cpu: strdup");
    goto fail;
  }
  for (size_t i = 0; i < from->features.len; i++)
    if (cpu_features_add (&features, from->features.ptr[i]) == -1)
      goto fail;
  free (to->model);
  free (to->vendor);
  cpu_features_free (&to->features);
  to->model = model;
  to->vendor = vendor;
  to->features = features;
  return 0;
fail:
  free (model);
  free (vendor);
  cpu_features_free (&features);
  return -1;
}

int
cpu_copy (struct cpu *to, const struct cpu *from)
{
  memset (to, 0, sizeof *to);
  to->mode = from->mode;
  if ((to->label = strdup (from->label)) == NULL
      || (to->arch = strdup (from->arch)) == NULL) {
    error_set_errno (errno, "cpu: strdup");
    cpu_free (to);
    return -1;
  }
  if (cpu_copy_definition (to, from) == -1) {
    cpu_free (to);
    return -1;
  }
  return 0;
}

int
cpu_resolve_on (struct cpu *guest, const struct cpu *host)
{
  if (guest->mode == CPU_CUSTOM)
    return 0;
  return cpu_copy_definition (guest, host);
}

int
cpu_compare (const struct cpu *guest, const struct cpu *host,
             struct cpu_verdict *v)
{
  memset (v, 0, sizeof *v);
  if (strcmp (guest->arch, host->arch) != 0) {
    if (asprintf (&v->reason, "the guest CPU is %s, the host is %s",
                  guest->arch, host->arch) == -1)
      goto nomem;
    return 0;
  }
  if (guest->vendor && host->vendor
      && strcmp (guest->vendor, host->vendor) != 0) {
    if (asprintf (&v->reason, "the guest CPU is an %s %s, the host an %s "
                  "CPU", guest->vendor, guest->model, host->vendor) == -1)
      goto nomem;
    return 0;
  }
  for (size_t i = 0; i < guest->features.len; i++)
    if (!cpu_features_has (&host->features, guest->features.ptr[i])
        && cpu_features_add (&v->missing, guest->features.ptr[i]) == -1) {
      cpu_verdict_free (v);
      return -1;
    }
  v->compatible = v->missing.len == 0;
  return 0;
nomem:
  v->reason = NULL;
  error_set_errno (errno, "cpu: asprintf");
  return -1;
}

char *
cpu_baseline (struct cpu *const *cpus, size_t n)
{
  char **xmls = calloc (n + 1, sizeof (char *));
  char *result = NULL;
  virConnectPtr conn = NULL;
  size_t made = 0;

  if (xmls == NULL) {
    error_set_errno (errno, "cpu: calloc");
    return NULL;
  }
  for (; made < n; made++) {
    if (cpus[made]->mode != CPU_CUSTOM) {
      error_set ("%s: the CPU is the host's; name the host instead",
                 cpus[made]->label);
      goto out;
    }
    if ((xmls[made] = cpu_host_xml (cpus[made])) == NULL)
      goto out;
  }
  conn = cpu_map_connect ();
  if (conn == NULL)
    goto out;
  result = virConnectBaselineCPU (conn, (const char **) xmls, n, 0);
  if (result == NULL)
    virt_error_set ("computing the baseline of %zu CPUs", n);
out:
  for (size_t i = 0; i < made; i++)
    free (xmls[i]);
  free (xmls);
  if (conn)
    virConnectClose (conn);
  return result;
}
