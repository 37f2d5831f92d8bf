/* ovf_envelope.c: the OVF descriptor parser (ovf_envelope_parse); see
 * ova.h.
 *
 * Written from DMTF DSP0243 (OVF 1.x/2.x) and what VMware's exporters
 * write (vmw:osType, vmw:Config/ExtraConfig, ResourceSubType names).
 *
 * libxml2 with no network, no DTD loading and no entity substitution; a
 * document with a DOCTYPE is refused outright.  Elements and attributes
 * are matched by local name (exporters differ in prefixes and in OVF 1 vs
 * 2 namespaces); what the model needs and cannot be read is an error
 * naming the element.  The descriptor's hrefs are recorded as written:
 * opening them (and refusing those outside the package) is the reader's
 * (ova.c).  This file never opens a file and never opens the network.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "source/ova.h"
#include "source/ova_internal.h"
#include "util/ascii.h"
#include "util/checked.h"
#include "util/error.h"
#include "util/log.h"

#define MAX_VCPUS 4096
#define MAX_MEMORY_MIB (UINT64_C (16) << 20)         /* 16 TiB */
#define MAX_CAPACITY (UINT64_C (1) << 62)

static int
set_string (char **dst, const char *src)
{
  char *copy = NULL;

  if (src && (copy = strdup (src)) == NULL) {
    error_set_errno (errno, "strdup");
    return -1;
  }
  free (*dst);
  *dst = copy;
  return 0;
}

static bool
is_element (const xmlNode *n, const char *local)
{
  return n && n->type == XML_ELEMENT_NODE
    && strcmp ((const char *) n->name, local) == 0;
}

static xmlNode *
child (const xmlNode *parent, const char *local)
{
  for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
    if (is_element (c, local))
      return c;
  return NULL;
}

/* An attribute by local name, whatever its namespace ("ovf:id", "id"). */
static const char *
attr (const xmlNode *n, const char *local)
{
  for (xmlAttr *a = n->properties; a; a = a->next) {
    if (strcmp ((const char *) a->name, local) == 0 && a->children
        && a->children->type == XML_TEXT_NODE && a->children->next == NULL)
      return (const char *) a->children->content;
    if (strcmp ((const char *) a->name, local) == 0 && a->children == NULL)
      return "";
  }
  return NULL;
}

/* The text of a leaf element (trimmed copy in buf), or NULL when absent.
 * Text longer than the buffer is an error for the caller: NULL with
 * *too_long set. */
struct text_buf {
  char s[OVA_NAME_MAX + 1];
};

static const char *
child_text (const xmlNode *parent, const char *local, struct text_buf *buf)
{
  xmlNode *c = child (parent, local);
  size_t n = 0;

  if (c == NULL)
    return NULL;
  for (xmlNode *t = c->children; t; t = t->next) {
    size_t len;
    if (t->type != XML_TEXT_NODE && t->type != XML_CDATA_SECTION_NODE)
      continue;
    len = strlen ((const char *) t->content);
    if (len > sizeof buf->s - 1 - n)
      len = sizeof buf->s - 1 - n;
    memcpy (buf->s + n, t->content, len);
    n += len;
  }
  buf->s[n] = '\0';
  while (n > 0 && (buf->s[n - 1] == ' ' || buf->s[n - 1] == '\n'
                   || buf->s[n - 1] == '\t' || buf->s[n - 1] == '\r'))
    buf->s[--n] = '\0';
  {
    char *p = buf->s;
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
      p++;
    return p;
  }
}

/* "byte * 2^30", "byte*10^3", "byte", "MegaBytes", "GB" ... -> bytes. */
static bool
parse_units (const char *units, uint64_t *multiplier)
{
  static const struct { const char *name; unsigned shift; } named[] = {
    { "byte", 0 }, { "bytes", 0 }, { "KiloBytes", 10 }, { "KB", 10 },
    { "MegaBytes", 20 }, { "MB", 20 }, { "GigaBytes", 30 }, { "GB", 30 },
    { "TeraBytes", 40 }, { "TB", 40 },
  };
  char compact[64];
  size_t n = 0;
  uint64_t base, exp, v = 1;

  for (const char *s = units; *s; s++) {
    if (*s == ' ' || *s == '\t')
      continue;
    if (n + 1 >= sizeof compact)
      return false;
    compact[n++] = *s;
  }
  compact[n] = '\0';
  for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
    if (ascii_casecmp (compact, named[i].name) == 0) {
      *multiplier = UINT64_C (1) << named[i].shift;
      return true;
    }
  }
  if (!ascii_prefix (compact, "byte*"))
    return false;
  {
    const char *p = compact + 5;
    char *caret = strchr (p, '^');
    char num[24];
    if (caret == NULL || (size_t) (caret - p) >= sizeof num)
      return false;
    memcpy (num, p, caret - p);
    num[caret - p] = '\0';
    if (!ascii_parse_decimal (num, true, &base) || !ascii_parse_decimal (caret + 1, true, &exp)
        || (base != 2 && base != 10) || exp > 63)
      return false;
    while (exp-- > 0)
      if (checked_mul (v, base, &v))
        return false;
  }
  *multiplier = v;
  return true;
}

struct controller {
  const char *instance_id;
  enum vm_bus bus;
  unsigned index;
  const char *model;
};

struct envelope_parser {
  const char *what;
  struct ovf_envelope *env;
  xmlNode *disk_section;
  xmlNode *hardware;
  struct controller *controllers;
  size_t n_controllers;
  const char *configuration;   /* the default deployment option, or NULL */
};

/* An item's label for messages: its ElementName, else its InstanceID. */
static const char *
item_label (const xmlNode *item, char *buf, size_t size)
{
  struct text_buf t;
  const char *name = child_text (item, "ElementName", &t);
  const char *id;

  if (name && *name)
    return ova_printable (name, buf, size);
  id = child_text (item, "InstanceID", &t);
  snprintf (buf, size, "InstanceID %s", id ? id : "?");
  return ova_printable (buf, buf, size);
}

static int
parse_references (struct envelope_parser *p, const xmlNode *refs)
{
  for (xmlNode *f = refs ? refs->children : NULL; f; f = f->next) {
    struct ovf_file file = { 0 };
    const char *id, *href, *size;

    if (!is_element (f, "File"))
      continue;
    id = attr (f, "id");
    href = attr (f, "href");
    size = attr (f, "size");
    if (id == NULL || href == NULL || *href == '\0') {
      error_set ("ovf: %s: line %d: References/File without ovf:id or "
                 "ovf:href", p->what, f->line);
      return -1;
    }
    if (strlen (href) > OVA_NAME_MAX || strlen (id) > OVA_NAME_MAX) {
      error_set ("ovf: %s: line %d: File name too long", p->what, f->line);
      return -1;
    }
    if (size && !(file.has_size = ascii_parse_decimal (size, true, &file.size))) {
      char shown[64];
      error_set ("ovf: %s: line %d: File \"%s\" has a bad ovf:size \"%s\"",
                 p->what, f->line, href,
                 ova_printable (size, shown, sizeof shown));
      return -1;
    }
    for (size_t i = 0; i < p->env->files.len; i++) {
      if (strcmp (p->env->files.ptr[i].id, id) == 0) {
        char shown[64];
        error_set ("ovf: %s: line %d: two References/File have ovf:id "
                   "\"%s\"", p->what, f->line,
                   ova_printable (id, shown, sizeof shown));
        return -1;
      }
    }
    if (p->env->files.len >= OVF_ITEMS_MAX) {
      error_set ("ovf: %s: more than %d files", p->what, OVF_ITEMS_MAX);
      return -1;
    }
    file.id = strdup (id);
    file.href = strdup (href);
    if (file.id == NULL || file.href == NULL
        || ovf_file_vector_append (&p->env->files, file) == -1) {
      free (file.id);
      free (file.href);
      error_set_errno (errno, "ovf: %s: allocating", p->what);
      return -1;
    }
  }
  return 0;
}

static const struct ovf_file *
find_file (struct envelope_parser *p, const char *id)
{
  for (size_t i = 0; i < p->env->files.len; i++)
    if (strcmp (p->env->files.ptr[i].id, id) == 0)
      return &p->env->files.ptr[i];
  return NULL;
}

/* A Disk of DiskSection: its file's href and capacity in bytes. */
static int
disk_section_lookup (struct envelope_parser *p, const xmlNode *item,
                     const char *host, const char **href, uint64_t *capacity)
{
  const char *id, *file_ref, *cap, *units;
  const struct ovf_file *file;
  uint64_t value, mult = 1;
  char label[128], shown[128];

  *href = NULL;
  *capacity = 0;
  if (ascii_prefix (host, "ovf:/file/") || ascii_prefix (host, "/file/")) {
    file = find_file (p, host + (ascii_prefix (host, "ovf:") ? 10 : 6));
    if (file == NULL) {
      error_set ("ovf: %s: line %d: %s: HostResource \"%s\" names no "
                 "References/File", p->what, item->line,
                 item_label (item, label, sizeof label),
                 ova_printable (host, shown, sizeof shown));
      return -1;
    }
    *href = file->href;
    return 0;
  }
  if (ascii_prefix (host, "ovf:/disk/"))
    id = host + 10;
  else if (ascii_prefix (host, "/disk/"))
    id = host + 6;
  else {
    error_set ("ovf: %s: line %d: %s: HostResource \"%s\" is neither "
               "ovf:/disk/ID nor ovf:/file/ID", p->what, item->line,
               item_label (item, label, sizeof label),
               ova_printable (host, shown, sizeof shown));
    return -1;
  }
  for (xmlNode *d = p->disk_section ? p->disk_section->children : NULL; d;
       d = d->next) {
    const char *did;
    if (!is_element (d, "Disk") || (did = attr (d, "diskId")) == NULL
        || strcmp (did, id) != 0)
      continue;
    file_ref = attr (d, "fileRef");
    if (file_ref == NULL) {
      error_set ("ovf: %s: line %d: Disk \"%s\" has no ovf:fileRef (an empty "
                 "disk to be created on import); ferry has no data to copy "
                 "for it", p->what, d->line,
                 ova_printable (id, shown, sizeof shown));
      return -1;
    }
    file = find_file (p, file_ref);
    if (file == NULL) {
      error_set ("ovf: %s: line %d: Disk \"%s\" refers to file \"%s\", which "
                 "References does not list", p->what, d->line,
                 ova_printable (id, label, sizeof label),
                 ova_printable (file_ref, shown, sizeof shown));
      return -1;
    }
    *href = file->href;
    cap = attr (d, "capacity");
    units = attr (d, "capacityAllocationUnits");
    if (cap && cap[0] == '$') {
      log_debug ("ovf: %s: Disk \"%s\": capacity \"%s\" is a property; "
                 "taken from the image", p->what, id, cap);
      return 0;
    }
    if (cap == NULL || !ascii_parse_decimal (cap, true, &value)) {
      error_set ("ovf: %s: line %d: Disk \"%s\" has a bad or missing "
                 "ovf:capacity \"%s\"", p->what, d->line,
                 ova_printable (id, label, sizeof label),
                 ova_printable (cap ? cap : "", shown, sizeof shown));
      return -1;
    }
    if (units && !parse_units (units, &mult)) {
      error_set ("ovf: %s: line %d: Disk \"%s\": unknown "
                 "ovf:capacityAllocationUnits \"%s\"", p->what, d->line,
                 ova_printable (id, label, sizeof label),
                 ova_printable (units, shown, sizeof shown));
      return -1;
    }
    if (checked_mul (value, mult, capacity) || *capacity > MAX_CAPACITY) {
      error_set ("ovf: %s: line %d: Disk \"%s\": capacity %s × %" PRIu64
                 " bytes is too large", p->what, d->line,
                 ova_printable (id, label, sizeof label), cap, mult);
      return -1;
    }
    log_debug ("ovf: %s: Disk \"%s\": file \"%s\", %" PRIu64 " bytes, "
               "format %s", p->what, id, file->href, *capacity,
               attr (d, "format") ? attr (d, "format") : "(none)");
    return 0;
  }
  error_set ("ovf: %s: line %d: %s: HostResource \"%s\" names no Disk of "
             "DiskSection", p->what, item->line,
             item_label (item, label, sizeof label),
             ova_printable (host, shown, sizeof shown));
  return -1;
}

/* Whether an item applies to the default deployment option. */
static bool
item_in_configuration (struct envelope_parser *p, const xmlNode *item)
{
  const char *conf = attr (item, "configuration");
  size_t n;

  if (conf == NULL || p->configuration == NULL)
    return true;
  n = strlen (p->configuration);
  for (const char *s = conf; *s;) {
    size_t len;
    while (*s == ' ')
      s++;
    len = strcspn (s, " ");
    if (len == n && memcmp (s, p->configuration, n) == 0)
      return true;
    s += len;
  }
  return false;
}

static uint64_t
item_type (const xmlNode *item)
{
  struct text_buf t;
  const char *s = child_text (item, "ResourceType", &t);
  uint64_t v;

  return s && ascii_parse_decimal (s, true, &v) ? v : 0;
}

/* VirtualQuantity × AllocationUnits, in bytes / unit_bytes. */
static int
item_quantity (struct envelope_parser *p, const xmlNode *item,
               const char *default_units, uint64_t *out)
{
  struct text_buf t, u;
  const char *q = child_text (item, "VirtualQuantity", &t);
  const char *units = child_text (item, "AllocationUnits", &u);
  char label[128], shown[64];

  if (q == NULL || !ascii_parse_decimal (q, true, out)) {
    error_set ("ovf: %s: line %d: %s: bad or missing VirtualQuantity "
               "\"%s\"", p->what, item->line,
               item_label (item, label, sizeof label),
               ova_printable (q ? q : "", shown, sizeof shown));
    return -1;
  }
  if (default_units) {
    uint64_t mult = 1;
    if (units == NULL || *units == '\0')
      units = default_units;
    if (!parse_units (units, &mult)) {
      error_set ("ovf: %s: line %d: %s: unknown AllocationUnits \"%s\"",
                 p->what, item->line, item_label (item, label, sizeof label),
                 ova_printable (units, shown, sizeof shown));
      return -1;
    }
    if (checked_mul (*out, mult, out)) {
      error_set ("ovf: %s: line %d: %s: quantity is too large", p->what,
                 item->line, item_label (item, label, sizeof label));
      return -1;
    }
  }
  return 0;
}

static const char *
scsi_model (const char *subtype)
{
  if (subtype == NULL)
    return NULL;
  if (ascii_casecmp (subtype, "VirtualSCSI") == 0)
    return "pvscsi";
  if (ascii_casecmp (subtype, "lsilogicsas") == 0)
    return "lsisas1068";
  if (ascii_casecmp (subtype, "lsilogic") == 0)
    return "lsilogic";
  if (ascii_casecmp (subtype, "buslogic") == 0)
    return "buslogic";
  return subtype;
}

static int
collect_controllers (struct envelope_parser *p)
{
  unsigned next_index[VM_BUS_NVME + 1] = { 0 };
  size_t n = 0;

  for (xmlNode *it = p->hardware->children; it; it = it->next)
    if (is_element (it, "Item") || is_element (it, "StorageItem"))
      n++;
  p->controllers = calloc (n ? n : 1, sizeof *p->controllers);
  if (p->controllers == NULL) {
    error_set_errno (errno, "ovf: %s: calloc", p->what);
    return -1;
  }
  for (xmlNode *it = p->hardware->children; it; it = it->next) {
    struct controller c = { 0 };
    struct text_buf t;
    const char *subtype, *address;
    uint64_t type, index;
    xmlNode *id_node;

    if (!(is_element (it, "Item") || is_element (it, "StorageItem"))
        || !item_in_configuration (p, it))
      continue;
    type = item_type (it);
    subtype = child_text (it, "ResourceSubType", &t);
    switch (type) {
    case 5: c.bus = VM_BUS_IDE; break;
    case 6: c.bus = VM_BUS_SCSI; break;
    case 20:
      c.bus = subtype && ascii_casecmp (subtype, "vmware.nvme.controller") == 0
        ? VM_BUS_NVME : VM_BUS_SATA;
      break;
    default:
      continue;
    }
    id_node = child (it, "InstanceID");
    if (id_node == NULL || id_node->children == NULL
        || id_node->children->type != XML_TEXT_NODE) {
      char label[128];
      error_set ("ovf: %s: line %d: controller %s has no InstanceID",
                 p->what, it->line, item_label (it, label, sizeof label));
      return -1;
    }
    c.instance_id = (const char *) id_node->children->content;
    {
      const char *model = c.bus == VM_BUS_SCSI ? scsi_model (subtype)
        : c.bus == VM_BUS_SATA ? "ahci" : c.bus == VM_BUS_NVME ? "nvme"
        : NULL;
      /* A copy: subtype lives in a buffer of this loop. */
      if (model)
        c.model = (const char *) xmlStrdup ((const xmlChar *) model);
    }
    address = child_text (it, "Address", &t);
    if (address && ascii_parse_decimal (address, true, &index) && index < 64)
      c.index = index;
    else
      c.index = next_index[c.bus];
    next_index[c.bus] = c.index + 1;
    p->controllers[p->n_controllers++] = c;
  }
  return 0;
}

static void
controllers_free (struct envelope_parser *p)
{
  for (size_t i = 0; i < p->n_controllers; i++)
    xmlFree ((void *) p->controllers[i].model);
  free (p->controllers);
  p->controllers = NULL;
  p->n_controllers = 0;
}

static int
item_parent (struct envelope_parser *p, const xmlNode *item,
             const struct controller **out, unsigned *unit)
{
  struct text_buf t, u;
  const char *parent = child_text (item, "Parent", &t);
  const char *address = child_text (item, "AddressOnParent", &u);
  uint64_t v = 0;
  char label[128], shown[64];

  *out = NULL;
  *unit = 0;
  if (address && *address) {
    if (!ascii_parse_decimal (address, true, &v) || v > 1024) {
      error_set ("ovf: %s: line %d: %s: bad AddressOnParent \"%s\"",
                 p->what, item->line, item_label (item, label, sizeof label),
                 ova_printable (address, shown, sizeof shown));
      return -1;
    }
    *unit = v;
  }
  if (parent == NULL)
    return 0;
  for (size_t i = 0; i < p->n_controllers; i++) {
    if (strcmp (p->controllers[i].instance_id, parent) == 0) {
      *out = &p->controllers[i];
      return 0;
    }
  }
  error_set ("ovf: %s: line %d: %s: Parent \"%s\" names no controller",
             p->what, item->line, item_label (item, label, sizeof label),
             ova_printable (parent, shown, sizeof shown));
  return -1;
}

static int
parse_disk_item (struct envelope_parser *p, const xmlNode *item)
{
  struct vm_disk d = { 0 };
  const struct controller *c;
  struct text_buf t;
  const char *host = child_text (item, "HostResource", &t);
  const char *href;
  char label[128];

  if (host == NULL || *host == '\0') {
    error_set ("ovf: %s: line %d: disk %s has no HostResource", p->what,
               item->line, item_label (item, label, sizeof label));
    return -1;
  }
  if (disk_section_lookup (p, item, host, &href, &d.capacity) == -1
      || item_parent (p, item, &c, &d.unit) == -1)
    return -1;
  if (c) {
    d.bus = c->bus;
    d.controller = c->index;
  }
  if (p->env->vm.disks.len >= OVF_ITEMS_MAX) {
    error_set ("ovf: %s: too many disks", p->what);
    return -1;
  }
  for (size_t i = 0; i < p->env->vm.disks.len; i++) {
    if (strcmp (p->env->vm.disks.ptr[i].path, href) == 0) {
      error_set ("ovf: %s: line %d: %s uses file \"%s\", as another disk "
                 "does", p->what, item->line,
                 item_label (item, label, sizeof label), href);
      return -1;
    }
  }
  if (set_string (&d.path, href) == -1
      || set_string (&d.controller_model, c ? c->model : NULL) == -1
      || vm_disk_vector_append (&p->env->vm.disks, d) == -1) {
    free (d.path);
    free (d.controller_model);
    return -1;
  }
  return 0;
}

static int
parse_cdrom_item (struct envelope_parser *p, const xmlNode *item)
{
  struct vm_cdrom cd = { 0 };
  const struct controller *c;

  if (item_parent (p, item, &c, &cd.unit) == -1)
    return -1;
  if (c) {
    cd.bus = c->bus;
    cd.controller = c->index;
  }
  /* An ISO packed with the OVF is not described: a CD-ROM is media, not
   * the VM's data, and the target sees an empty drive. */
  if (vm_cdrom_vector_append (&p->env->vm.cdroms, cd) == -1)
    return -1;
  return 0;
}

static int
parse_nic_item (struct envelope_parser *p, const xmlNode *item)
{
  struct vm_nic nic = { .connected = true };
  struct text_buf t;
  const char *s;
  char model[64], mac[VM_MAC_SIZE], label[128], shown[64];

  s = child_text (item, "ResourceSubType", &t);
  if (s && *s) {
    size_t i;
    if (ascii_casecmp (s, "PCNet32") == 0)
      s = "vlance";
    for (i = 0; s[i] && i + 1 < sizeof model; i++)
      model[i] = (char) ascii_tolower ((unsigned char) s[i]);
    model[i] = '\0';
    if (set_string (&nic.model, ova_printable (model, model, sizeof model))
        == -1)
      goto fail;
  }
  s = child_text (item, "AutomaticAllocation", &t);
  if (s && *s) {
    if (ascii_casecmp (s, "true") == 0 || strcmp (s, "1") == 0)
      nic.connected = true;
    else if (ascii_casecmp (s, "false") == 0 || strcmp (s, "0") == 0)
      nic.connected = false;
    else {
      error_set ("ovf: %s: line %d: %s: AutomaticAllocation \"%s\" is not a "
                 "boolean", p->what, item->line,
                 item_label (item, label, sizeof label),
                 ova_printable (s, shown, sizeof shown));
      goto fail;
    }
  }
  s = child_text (item, "Address", &t);
  if (s && *s) {
    if (!vm_mac_normalize (s, mac)) {
      error_set ("ovf: %s: line %d: %s: Address \"%s\" is not a MAC "
                 "address", p->what, item->line,
                 item_label (item, label, sizeof label),
                 ova_printable (s, shown, sizeof shown));
      goto fail;
    }
    if (set_string (&nic.mac, mac) == -1)
      goto fail;
  }
  s = child_text (item, "Connection", &t);
  if (s && *s && set_string (&nic.network, s) == -1)
    goto fail;
  if (p->env->vm.nics.len >= OVF_ITEMS_MAX) {
    error_set ("ovf: %s: too many network adapters", p->what);
    goto fail;
  }
  if (vm_nic_vector_append (&p->env->vm.nics, nic) == -1)
    goto fail;
  return 0;

fail:
  free (nic.model);
  free (nic.mac);
  free (nic.network);
  return -1;
}

static bool
config_true (const char *v)
{
  return v && (ascii_casecmp (v, "true") == 0 || strcmp (v, "1") == 0);
}

/* vmw:Config / vmw:ExtraConfig key/value pairs of the hardware section. */
static int
parse_vmware_config (struct envelope_parser *p, const xmlNode *n)
{
  struct vm *vm = &p->env->vm;
  const char *key = attr (n, "key"), *value = attr (n, "value");

  if (key == NULL || value == NULL)
    return 0;
  if (strcmp (key, "firmware") == 0) {
    if (ascii_casecmp (value, "efi") == 0)
      vm->firmware = VM_FIRMWARE_UEFI;
    else if (ascii_casecmp (value, "bios") == 0)
      vm->firmware = VM_FIRMWARE_BIOS;
    else
      log_debug ("ovf: %s: firmware \"%s\" unknown", p->what, value);
  }
  else if (strcmp (key, "bootOptions.efiSecureBootEnabled") == 0
           || ascii_casecmp (key, "uefi.secureBoot.enabled") == 0)
    vm->secure_boot = config_true (value);
  else if (strcmp (key, "cpuHotAddEnabled") == 0
           || ascii_casecmp (key, "vcpu.hotadd") == 0)
    vm->cpu_hot_add = config_true (value);
  else if (strcmp (key, "memoryHotAddEnabled") == 0
           || ascii_casecmp (key, "mem.hotadd") == 0)
    vm->memory_hot_add = config_true (value);
  else if (strcmp (key, "changeTrackingEnabled") == 0
           || ascii_casecmp (key, "ctkEnabled") == 0)
    vm->cbt = config_true (value);
  else if (ascii_casecmp (key, "vtpm.present") == 0)
    vm->tpm = config_true (value);
  return 0;
}

/* CIM_OperatingSystem.OsType values (DSP0243 OperatingSystemSection). */
static enum vm_os_family
cim_os_family (uint64_t id)
{
  static const uint16_t windows[] = {
    16, 17, 18, 19, 58, 63, 67, 69, 70, 71, 72, 73, 74, 75, 76, 77, 103,
    105, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121,
  };
  static const uint16_t linux_ids[] = {
    36, 79, 80, 82, 83, 84, 86, 88, 89, 90, 91, 93, 94, 95, 96, 97, 98, 99,
    100, 101, 106, 107, 108, 109,
  };
  static const uint16_t other[] = { 29, 42, 43, 65, 78, 81 };

  for (size_t i = 0; i < sizeof windows / sizeof *windows; i++)
    if (id == windows[i])
      return VM_OS_WINDOWS;
  for (size_t i = 0; i < sizeof linux_ids / sizeof *linux_ids; i++)
    if (id == linux_ids[i])
      return VM_OS_LINUX;
  for (size_t i = 0; i < sizeof other / sizeof *other; i++)
    if (id == other[i])
      return VM_OS_OTHER;
  return VM_OS_UNKNOWN;
}

static int
parse_os (struct envelope_parser *p, const xmlNode *os)
{
  struct vm *vm = &p->env->vm;
  const char *type, *id;
  uint64_t cim = 0;
  bool has_cim;
  struct text_buf t;

  if (os == NULL)
    return 0;
  type = attr (os, "osType");
  id = attr (os, "id");
  has_cim = id && ascii_parse_decimal (id, true, &cim);
  if (type && *type) {
    char shown[128];
    if (set_string (&vm->guest_os, ova_printable (type, shown, sizeof shown))
        == -1)
      return -1;
    vm->os_family = vm_os_family_from_vmware_id (type);
  }
  else {
    const char *desc = child_text (os, "Description", &t);
    char shown[128];
    if (desc && *desc)
      ova_printable (desc, shown, sizeof shown);
    else if (has_cim)
      snprintf (shown, sizeof shown, "cim-os-%" PRIu64, cim);
    else
      shown[0] = '\0';
    if (shown[0] && set_string (&vm->guest_os, shown) == -1)
      return -1;
  }
  if (vm->os_family == VM_OS_UNKNOWN && has_cim)
    vm->os_family = cim_os_family (cim);
  return 0;
}

/* "vmx-19", "vmx-07 vmx-08": the highest vmx version, as "vmx-NN". */
static int
parse_system_type (struct envelope_parser *p, const char *type)
{
  uint64_t best = 0;
  char hw[32];                  /* "vmx-" and any uint64_t */

  for (const char *s = type; *s;) {
    size_t len;
    char tok[32];
    uint64_t v;

    while (*s == ' ' || *s == ',')
      s++;
    len = strcspn (s, " ,");
    if (len > 4 && len < sizeof tok && ascii_prefix (s, "vmx-")) {
      memcpy (tok, s + 4, len - 4);
      tok[len - 4] = '\0';
      if (ascii_parse_decimal (tok, true, &v) && v < 1000 && v > best)
        best = v;
    }
    s += len;
  }
  if (best == 0)
    return 0;
  snprintf (hw, sizeof hw, "vmx-%02" PRIu64, best);
  return set_string (&p->env->vm.hardware_version, hw);
}

static int
parse_hardware (struct envelope_parser *p)
{
  struct vm *vm = &p->env->vm;
  struct text_buf t;
  const xmlNode *sys = child (p->hardware, "System");
  const char *s;
  size_t n_items = 0;
  char label[128];

  s = sys ? child_text (sys, "VirtualSystemType", &t) : NULL;
  if (s && parse_system_type (p, s) == -1)
    return -1;
  if (vm->hardware_version)
    vm->firmware = VM_FIRMWARE_BIOS;  /* VMware's default */

  if (collect_controllers (p) == -1)
    return -1;
  for (xmlNode *it = p->hardware->children; it; it = it->next) {
    uint64_t v;

    if (is_element (it, "Config") || is_element (it, "ExtraConfig")) {
      if (parse_vmware_config (p, it) == -1)
        return -1;
      continue;
    }
    if (!(is_element (it, "Item") || is_element (it, "StorageItem")
          || is_element (it, "EthernetPortItem")))
      continue;
    if (++n_items > OVF_ITEMS_MAX) {
      error_set ("ovf: %s: more than %d hardware items", p->what,
                 OVF_ITEMS_MAX);
      return -1;
    }
    if (!item_in_configuration (p, it))
      continue;
    switch (item_type (it)) {
    case 3:                     /* processor */
      if (item_quantity (p, it, NULL, &v) == -1)
        return -1;
      if (v < 1 || v > MAX_VCPUS) {
        error_set ("ovf: %s: line %d: %s: %" PRIu64 " virtual CPUs (expected "
                   "1 to %d)", p->what, it->line,
                   item_label (it, label, sizeof label), v, MAX_VCPUS);
        return -1;
      }
      vm->vcpus = v;
      s = child_text (it, "CoresPerSocket", &t);
      if (s) {
        if (!ascii_parse_decimal (s, true, &v) || v < 1 || v > MAX_VCPUS) {
          char shown[64];
          error_set ("ovf: %s: line %d: %s: bad CoresPerSocket \"%s\"",
                     p->what, it->line, item_label (it, label, sizeof label),
                     ova_printable (s, shown, sizeof shown));
          return -1;
        }
        vm->cores_per_socket = v;
      }
      break;
    case 4:                     /* memory */
      if (item_quantity (p, it, "byte * 2^20", &v) == -1)
        return -1;
      if (v < (UINT64_C (1) << 20) || v / (UINT64_C (1) << 20)
          > MAX_MEMORY_MIB) {
        error_set ("ovf: %s: line %d: %s: memory of %" PRIu64 " bytes is out "
                   "of range", p->what, it->line,
                   item_label (it, label, sizeof label), v);
        return -1;
      }
      vm->memory_mib = v >> 20;
      break;
    case 10:                    /* Ethernet adapter */
      if (parse_nic_item (p, it) == -1)
        return -1;
      break;
    case 15: case 16:           /* CD / DVD drive */
      if (parse_cdrom_item (p, it) == -1)
        return -1;
      break;
    case 17:                    /* disk drive */
      if (parse_disk_item (p, it) == -1)
        return -1;
      break;
    case 23:                    /* USB controller */
      vm->usb = true;
      break;
    default:
      break;
    }
  }
  return 0;
}

/* SCSI, SATA, NVMe, IDE, each by controller and unit, as the VMX reader
 * lists them; stable for equal places. */
static void
sort_disks (vm_disk_vector *disks)
{
  for (size_t i = 1; i < disks->len; i++) {
    struct vm_disk d = disks->ptr[i];
    size_t j = i;
    while (j > 0) {
      const struct vm_disk *e = &disks->ptr[j - 1];
      if (vm_slot_compare (d.bus, d.controller, d.unit, e->bus,
                           e->controller, e->unit) >= 0)
        break;
      disks->ptr[j] = disks->ptr[j - 1];
      j--;
    }
    disks->ptr[j] = d;
  }
}

void
ovf_envelope_free (struct ovf_envelope *env)
{
  vm_free (&env->vm);
  for (size_t i = 0; i < env->files.len; i++) {
    free (env->files.ptr[i].id);
    free (env->files.ptr[i].href);
  }
  ovf_file_vector_reset (&env->files);
}

static int
parse_envelope (struct envelope_parser *p, xmlDoc *doc)
{
  xmlNode *root = xmlDocGetRootElement (doc), *vs, *opts;
  struct vm *vm = &p->env->vm;
  struct text_buf t;
  const char *s;

  if (!is_element (root, "Envelope")) {
    error_set ("ovf: %s: the root element is not an OVF Envelope", p->what);
    return -1;
  }
  if (root->ns == NULL || root->ns->href == NULL
      || strncmp ((const char *) root->ns->href,
                  "http://schemas.dmtf.org/ovf/envelope/", 37) != 0)
    log_debug ("ovf: %s: Envelope is not in an OVF namespace", p->what);
  if (child (root, "VirtualSystemCollection")) {
    error_set ("ovf: %s: the package is a vApp (VirtualSystemCollection) "
               "of several VMs; ferry reads a single VirtualSystem", p->what);
    return -1;
  }
  vs = child (root, "VirtualSystem");
  if (vs == NULL) {
    error_set ("ovf: %s: no VirtualSystem in the Envelope", p->what);
    return -1;
  }
  opts = child (root, "DeploymentOptionSection");
  for (xmlNode *c = opts ? opts->children : NULL; c; c = c->next)
    if (is_element (c, "Configuration") && config_true (attr (c, "default")))
      p->configuration = attr (c, "id");

  if (parse_references (p, child (root, "References")) == -1)
    return -1;
  p->disk_section = child (root, "DiskSection");
  if (p->disk_section == NULL)
    p->disk_section = child (vs, "DiskSection");

  s = child_text (vs, "Name", &t);
  if (s == NULL || *s == '\0')
    s = attr (vs, "id");
  if (s && *s && set_string (&vm->name, s) == -1)
    return -1;

  if (parse_os (p, child (vs, "OperatingSystemSection")) == -1)
    return -1;
  p->hardware = child (vs, "VirtualHardwareSection");
  if (p->hardware == NULL) {
    error_set ("ovf: %s: VirtualSystem has no VirtualHardwareSection",
               p->what);
    return -1;
  }
  vm->vcpus = 1;
  if (parse_hardware (p) == -1)
    return -1;
  sort_disks (&vm->disks);
  return 0;
}

static xmlParserInputPtr
refuse_entity (void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
  (void) ctx;
  (void) public_id;
  (void) system_id;
  return NULL;
}

int
ovf_envelope_parse (const char *xml, size_t len, const char *what,
                    struct ovf_envelope *env)
{
  struct envelope_parser p = { .what = what, .env = env };
  xmlParserCtxt *ctxt;
  xmlDoc *doc;
  int r = -1;

  memset (env, 0, sizeof *env);
  if (len > OVF_DESCRIPTOR_MAX || len > INT_MAX) {
    error_set ("ovf: %s: descriptor larger than %d bytes", what,
               OVF_DESCRIPTOR_MAX);
    return -1;
  }
  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL || ctxt->sax == NULL) {
    error_set ("ovf: %s: cannot create an XML parser", what);
    xmlFreeParserCtxt (ctxt);
    return -1;
  }
  /* This parser's own handlers (not the process-wide loader): nothing
   * outside the descriptor is ever opened, whatever the options say. */
  ctxt->sax->resolveEntity = refuse_entity;
  ctxt->sax->externalSubset = NULL;
  /* No network, no DTD loading, no entity substitution (XML_PARSE_NOENT
   * is deliberately absent), no warnings on stderr. */
  doc = xmlCtxtReadMemory (ctxt, xml, (int) len, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR
                           | XML_PARSE_NOWARNING);
  if (doc == NULL) {
    const xmlError *e = xmlCtxtGetLastError (ctxt);
    char shown[160];
    error_set ("ovf: %s: not well-formed XML: line %d: %s", what,
               e ? e->line : 0,
               ova_printable (e && e->message ? e->message : "parse error",
                              shown, sizeof shown));
    xmlFreeParserCtxt (ctxt);
    return -1;
  }
  if (doc->intSubset || doc->extSubset) {
    error_set ("ovf: %s: the descriptor has a DOCTYPE declaration; OVF has "
               "none, and ferry loads no DTD or entities from a package",
               what);
    goto out;
  }
  r = parse_envelope (&p, doc);

out:
  controllers_free (&p);
  xmlFreeDoc (doc);
  xmlFreeParserCtxt (ctxt);
  if (r == -1)
    ovf_envelope_free (env);
  return r;
}
