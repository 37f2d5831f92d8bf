/* vmx.c: the VMware source reader; see vmx.h.
 *
 * The reader (vmx_read) turns the keys of the .vmx, as the key/value
 * parser (vmx_file.c) gives them, into the VM model.  It reports facts as
 * written and leaves decisions to the validation rules and the target
 * writer: a value it cannot interpret that the model needs (numvcpus =
 * "-1") is an error naming the line; a disk whose image cannot be opened
 * is listed with capacity 0, never an error.
 *
 * It never writes to the source folder and never follows anything but the
 * files the .vmx names (disks, ISO images) and the .vmsd next to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/vmdk.h"
#include "source/vmx.h"
#include "source/vmx_internal.h"
#include "util/ascii.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/log.h"
#include "util/path.h"
#include "util/vector.h"

/* ------------------------------------------------------------------ */
/* Reader                                                             */
/* ------------------------------------------------------------------ */

/* Bounds on what one VM may hold: far above what any VMware release
 * allows, low enough that a hostile file cannot make ferry open a disk
 * image a hundred thousand times. */
#define MAX_VCPUS 4096
#define MAX_MEMORY_MIB (UINT64_C (1) << 32)     /* 4 PiB */
#define MAX_DEVICES 1024
#define MAX_INDEX 9999                          /* scsiN, ethernetN, ... */
#define MAX_PCI_SLOT 65535                      /* ethernetN.pciSlotNumber */

DEFINE_VECTOR_TYPE (index_vector, unsigned);

struct reader {
  const char *what;            /* the .vmx file's name, for messages */
  char *dir;                   /* absolute directory of the .vmx */
  struct vmx_file *vmx;
  struct vm *vm;
};

/* The entry of a key built from fmt, or NULL. */
static const struct vmx_entry *
findf (const struct vmx_file *f, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

static const struct vmx_entry *
findf (const struct vmx_file *f, const char *fmt, ...)
{
  char key[128];
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (key, sizeof key, fmt, ap);
  va_end (ap);
  if (n < 0 || (size_t) n >= sizeof key)
    return NULL;
  return vmx_file_find (f, key);
}

static int
bad_value (const char *what, const struct vmx_entry *e, const char *expected)
{
  char kbuf[80], vbuf[80];

  error_set ("vmx: %s: line %u: %s = \"%s\" is not %s", what, e->line,
             vmx_printable (e->key, kbuf, sizeof kbuf),
             vmx_printable (e->value, vbuf, sizeof vbuf), expected);
  return -1;
}

/* VMware writes "TRUE" / "FALSE"; hand edits bring other spellings. */
static int
entry_bool (const char *what, const struct vmx_entry *e, bool absent,
            bool *out)
{
  static const char *const yes[] = { "true", "yes", "on", "1" };
  static const char *const no[] = { "false", "no", "off", "0" };

  if (e == NULL) {
    *out = absent;
    return 0;
  }
  for (size_t i = 0; i < 4; i++) {
    if (ascii_casecmp (e->value, yes[i]) == 0) {
      *out = true;
      return 0;
    }
    if (ascii_casecmp (e->value, no[i]) == 0) {
      *out = false;
      return 0;
    }
  }
  return bad_value (what, e, "TRUE or FALSE");
}

/* Decimal, or hex with 0x. */
static bool
parse_number (const char *s, uint64_t *out)
{
  uint64_t v = 0;

  if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
    return ascii_parse_decimal (s, false, out);
  s += 2;
  if (*s == '\0' || strlen (s) > 16)
    return false;
  for (; *s; s++) {
    int d = ascii_hex_digit ((unsigned char) *s);
    if (d < 0)
      return false;
    v = v << 4 | (unsigned) d;
  }
  *out = v;
  return true;
}

static int
entry_uint (const char *what, const struct vmx_entry *e, uint64_t min,
            uint64_t max, const char *expected, uint64_t *out)
{
  uint64_t v;

  if (!ascii_parse_decimal (e->value, false, &v) || v < min || v > max)
    return bad_value (what, e, expected);
  *out = v;
  return 0;
}

static int
set_string (char **dst, const char *src)
{
  if (src == NULL) {
    *dst = NULL;
    return 0;
  }
  *dst = strdup (src);
  if (*dst == NULL) {
    error_set_errno (errno, "vmx: strdup");
    return -1;
  }
  return 0;
}

/* Parse a canonical decimal index (no sign, no leading zeros) at *s. */
static bool
parse_index (const char **s, unsigned *out)
{
  const char *p = *s;
  unsigned v = 0;

  if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
    return false;
  for (; *p >= '0' && *p <= '9'; p++) {
    v = v * 10 + (unsigned) (*p - '0');
    if (v > MAX_INDEX)
      return false;
  }
  *s = p;
  *out = v;
  return true;
}

static int
index_compare (const void *a, const void *b)
{
  unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;

  return x < y ? -1 : x > y;
}

/* Every N of keys "<prefix>N<suffix>", in numeric order. */
static int
collect_indexes (const struct vmx_file *f, const char *prefix,
                 const char *suffix, index_vector *out)
{
  size_t plen = strlen (prefix);

  for (size_t i = 0; i < vmx_file_count (f); i++) {
    const char *k = vmx_file_entry (f, i)->key;
    unsigned n;

    if (!ascii_prefix (k, prefix))
      continue;
    k += plen;
    if (!parse_index (&k, &n) || ascii_casecmp (k, suffix) != 0)
      continue;
    if (index_vector_append (out, n) == -1)
      return -1;
  }
  if (out->len > 1)
    qsort (out->ptr, out->len, sizeof out->ptr[0], index_compare);
  return 0;
}

/* ---- files ---- */

/* A whole (small) text file: see io_read_text_file. */
static int
read_text_file (const char *path, const char *what, bool missing_ok,
                char **text, size_t *len)
{
  int r = io_read_text_file (path, what, VMX_FILE_MAX, missing_ok, text, len);

  if (r == -1)
    error_prefix ("vmx");
  return r;
}

static bool
file_exists (const char *path)
{
  return access (path, F_OK) == 0;
}

static char *
path_join (const char *dir, const char *name)
{
  char *p;

  if (asprintf (&p, "%s/%s", dir, name) == -1) {
    error_set_errno (errno, "vmx: asprintf");
    return NULL;
  }
  return p;
}

/* "/vmfs/volumes/<name>/..." -> <name>; NULL when path is not there. */
static char *
vmfs_datastore (const char *path)
{
  static const char prefix[] = "/vmfs/volumes/";
  const char *name, *slash;

  if (strncmp (path, prefix, sizeof prefix - 1) != 0)
    return NULL;
  name = path + sizeof prefix - 1;
  slash = strchr (name, '/');
  if (slash == NULL || slash == name)
    return NULL;
  return strndup (name, slash - name);
}

/* Where a file named in the .vmx is on this machine, and the datastore it
 * lives on at the source.  Relative names are relative to the .vmx's
 * directory.  An absolute name is kept when it exists; when it does not
 * (an ESXi path, the folder copied elsewhere) and a file of the same base
 * name is next to the .vmx, that one is used. */
static int
resolve_file (struct reader *r, const char *written, char **path,
              char **datastore)
{
  char *p;
  char *ds = NULL;

  if (written[0] == '/') {
    if (file_exists (written))
      p = strdup (written);
    else {
      CLEANUP_FREE char *local = path_join (r->dir, path_base_name (written));
      if (local == NULL)
        return -1;
      if (file_exists (local)) {
        log_debug ("vmx: %s: %s does not exist here; using %s next to the "
                   ".vmx", r->what, written, local);
        p = steal_pointer (&local);
      }
      else {
        log_debug ("vmx: %s: %s does not exist (nor %s)", r->what, written,
                   local);
        p = strdup (written);
      }
    }
    if (p == NULL) {
      error_set_errno (errno, "vmx: strdup");
      return -1;
    }
    ds = vmfs_datastore (written);
  }
  else {
    p = path_join (r->dir, written);
    if (p == NULL)
      return -1;
  }
  if (ds == NULL)
    ds = vmfs_datastore (p);
  if (ds == NULL) {
    const char *slash = strrchr (p, '/');
    ds = slash == p ? strdup ("/") : strndup (p, slash - p);
  }
  if (ds == NULL) {
    error_set_errno (errno, "vmx: strdup");
    free (p);
    return -1;
  }
  *path = p;
  *datastore = ds;
  return 0;
}

/* ---- disks ---- */

/* Sum of the descriptor's extents in bytes, 0 on overflow. */
static uint64_t
descriptor_bytes (const struct vmdk_descriptor *d)
{
  uint64_t total = 0, bytes;

  for (size_t i = 0; i < d->n_extents; i++)
    if (checked_mul (d->extents[i].sectors, 512, &bytes)
        || checked_add (total, bytes, &total))
      return 0;
  return total;
}

/* Raw device mapping and capacity of a disk.  Nothing here is an error
 * for vmx_read: what cannot be learned stays 0 and the reason goes to the
 * debug log (validation reports the disk).  Only regular files are
 * opened as images: a .vmx may name a FIFO or a device. */
static void
disk_inspect (struct vm_disk *d)
{
  CLEANUP_CLOSE int fd = open (d->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  char head[DISK_PROBE_SIZE];
  struct stat st;
  ssize_t n;
  struct disk *disk;

  if (fd == -1) {
    log_debug ("vmx: %s: %s", d->path, strerror (errno));
    return;
  }
  if (fstat (fd, &st) == -1 || !S_ISREG (st.st_mode)) {
    log_debug ("vmx: %s: not a regular file", d->path);
    return;
  }
  n = pread (fd, head, sizeof head, 0);
  if (n < 0) {
    log_debug ("vmx: %s: read: %s", d->path, strerror (errno));
    return;
  }

  /* A text descriptor: parse it first, as an RDM cannot be opened. */
  if (vmdk_descriptor_probe (head, n)) {
    struct vmdk_descriptor desc;
    CLEANUP_FREE char *text = NULL;
    bool rdm = false;

    if (st.st_size > VMDK_DESCRIPTOR_MAX) {
      log_debug ("vmx: %s: descriptor larger than %d bytes", d->path,
                 VMDK_DESCRIPTOR_MAX);
      return;
    }
    text = malloc (st.st_size + 1);
    if (text == NULL
        || io_pread_full (fd, text, st.st_size, 0, d->path) == -1) {
      log_debug ("vmx: %s: reading the descriptor: %s", d->path,
                 text ? error_message () : strerror (errno));
      error_clear ();
      return;
    }
    if (vmdk_descriptor_parse (text, st.st_size, d->path, &desc) == -1) {
      log_debug ("%s", error_message ());
      error_clear ();
      vmdk_descriptor_free (&desc);
      return;
    }
    for (size_t i = 0; i < desc.n_extents; i++) {
      if (desc.extents[i].type == VMDK_EXTENT_VMFSRAW)
        d->rdm = VM_RDM_PHYSICAL;
      else if (desc.extents[i].type == VMDK_EXTENT_VMFSRDM
               && d->rdm != VM_RDM_PHYSICAL)
        d->rdm = VM_RDM_VIRTUAL;
    }
    rdm = d->rdm != VM_RDM_NONE;
    if (rdm)
      /* The mapped LUN's size as recorded; the LUN itself is not here. */
      d->capacity = descriptor_bytes (&desc);
    vmdk_descriptor_free (&desc);
    if (rdm)
      return;
  }

  disk = disk_open (d->path, "vmdk", 0);
  if (disk == NULL) {
    log_debug ("vmx: %s: capacity unknown: %s", d->path, error_message ());
    error_clear ();
    return;
  }
  d->capacity = disk->size;
  disk_close (disk);
}

static const char *const bus_prefixes[] = {
  [VM_BUS_IDE] = "ide",
  [VM_BUS_SATA] = "sata",
  [VM_BUS_SCSI] = "scsi",
  [VM_BUS_NVME] = "nvme",
};

struct device_ref {
  enum vm_bus bus;
  unsigned controller, unit;
};

DEFINE_VECTOR_TYPE (device_ref_vector, struct device_ref);

static int
device_ref_compare (const void *a, const void *b)
{
  const struct device_ref *x = a, *y = b;

  return vm_slot_compare (x->bus, x->controller, x->unit, y->bus,
                          y->controller, y->unit);
}

/* Every "<bus>N:M.present" key that is TRUE. */
static int
collect_devices (struct reader *r, device_ref_vector *out)
{
  for (size_t i = 0; i < vmx_file_count (r->vmx); i++) {
    const struct vmx_entry *e = vmx_file_entry (r->vmx, i);

    for (enum vm_bus bus = VM_BUS_IDE; bus <= VM_BUS_NVME; bus++) {
      const char *k = e->key;
      struct device_ref ref = { .bus = bus };
      bool present;

      if (!ascii_prefix (k, bus_prefixes[bus]))
        continue;
      k += strlen (bus_prefixes[bus]);
      if (!parse_index (&k, &ref.controller) || *k++ != ':'
          || !parse_index (&k, &ref.unit)
          || ascii_casecmp (k, ".present") != 0)
        continue;
      if (entry_bool (r->what, e, false, &present) == -1)
        return -1;
      if (!present)
        continue;
      if (out->len >= MAX_DEVICES) {
        error_set ("vmx: %s: line %u: more than %d disks and CD-ROMs",
                   r->what, e->line, MAX_DEVICES);
        return -1;
      }
      if (device_ref_vector_append (out, ref) == -1)
        return -1;
    }
  }
  if (out->len > 1)
    qsort (out->ptr, out->len, sizeof out->ptr[0], device_ref_compare);
  return 0;
}

enum device_kind { DEVICE_DISK, DEVICE_CDROM_IMAGE, DEVICE_CDROM_HOST,
                   DEVICE_OTHER, DEVICE_EMPTY };

static enum device_kind
device_kind (const char *type, const char *file)
{
  if (type == NULL) {
    /* Not written for most disks by ESXi: go by the file. */
    if (file == NULL || file[0] == '\0')
      return DEVICE_EMPTY;
    if (ascii_suffix (file, ".iso"))
      return DEVICE_CDROM_IMAGE;
    return DEVICE_DISK;
  }
  if (ascii_casecmp (type, "cdrom-image") == 0)
    return DEVICE_CDROM_IMAGE;
  if (ascii_casecmp (type, "cdrom-raw") == 0
      || ascii_casecmp (type, "atapi-cdrom") == 0)
    return DEVICE_CDROM_HOST;
  if (ascii_suffix (type, "hardDisk") || ascii_casecmp (type, "disk") == 0
      || ascii_casecmp (type, "plainDisk") == 0
      || ascii_casecmp (type, "rawDisk") == 0)
    return DEVICE_DISK;
  return DEVICE_OTHER;
}

static int
disk_mode (struct reader *r, const struct vmx_entry *e,
           enum vm_disk_mode *mode)
{
  *mode = VM_DISK_PERSISTENT;
  if (e == NULL || ascii_casecmp (e->value, "persistent") == 0)
    return 0;
  if (ascii_casecmp (e->value, "independent-persistent") == 0)
    *mode = VM_DISK_INDEPENDENT_PERSISTENT;
  else if (ascii_casecmp (e->value, "independent-nonpersistent") == 0
           || ascii_casecmp (e->value, "nonpersistent") == 0)
    *mode = VM_DISK_INDEPENDENT_NONPERSISTENT;
  else
    return bad_value (r->what, e, "a disk mode (persistent, "
                      "independent-persistent, independent-nonpersistent)");
  return 0;
}

static int
read_disk (struct reader *r, const struct device_ref *ref, const char *base,
           const struct vmx_entry *file)
{
  struct vm_disk d = { .bus = ref->bus, .controller = ref->controller,
                       .unit = ref->unit };
  const char *bus = bus_prefixes[ref->bus];
  const struct vmx_entry *e;
  bool flag;

  if (file == NULL || file->value[0] == '\0') {
    e = findf (r->vmx, "%s.present", base);
    error_set ("vmx: %s: line %u: %s is a present disk without a fileName",
               r->what, e ? e->line : 0, base);
    return -1;
  }
  if (disk_mode (r, findf (r->vmx, "%s.mode", base), &d.mode) == -1)
    return -1;

  e = findf (r->vmx, "%s%u.sharedBus", bus, ref->controller);
  if (e && ascii_casecmp (e->value, "none") != 0)
    d.shared = true;
  e = findf (r->vmx, "%s.sharing", base);
  if (e && ascii_casecmp (e->value, "none") != 0) {
    if (ascii_casecmp (e->value, "multi-writer") != 0)
      log_debug ("vmx: %s: line %u: sharing mode \"%s\" taken as shared",
                 r->what, e->line, e->value);
    d.shared = true;
  }
  if (entry_bool (r->what, findf (r->vmx, "%s.ctkEnabled", base), false,
                  &flag) == -1)
    return -1;
  if (flag)
    r->vm->cbt = true;

  e = findf (r->vmx, "%s%u.virtualDev", bus, ref->controller);
  if (set_string (&d.controller_model, e ? e->value : NULL) == -1
      || resolve_file (r, file->value, &d.path, &d.datastore) == -1)
    goto fail;
  disk_inspect (&d);
  if (vm_disk_vector_append (&r->vm->disks, d) == -1)
    goto fail;
  return 0;

 fail:
  free (d.controller_model);
  free (d.path);
  free (d.datastore);
  return -1;
}

static int
read_cdrom (struct reader *r, const struct device_ref *ref,
            const struct vmx_entry *file, bool image)
{
  struct vm_cdrom c = { .bus = ref->bus, .controller = ref->controller,
                        .unit = ref->unit };

  if (image && file && file->value[0] != '\0') {
    CLEANUP_FREE char *datastore = NULL;
    if (resolve_file (r, file->value, &c.path, &datastore) == -1)
      return -1;
  }
  if (vm_cdrom_vector_append (&r->vm->cdroms, c) == -1) {
    free (c.path);
    return -1;
  }
  return 0;
}

static int
read_storage (struct reader *r)
{
  device_ref_vector refs = empty_vector;
  int ret = -1;

  if (collect_devices (r, &refs) == -1)
    goto out;
  for (size_t i = 0; i < refs.len; i++) {
    const struct device_ref *ref = &refs.ptr[i];
    const char *bus = bus_prefixes[ref->bus];
    const struct vmx_entry *type, *file, *ctrl;
    enum device_kind kind;
    char base[32];
    bool present;

    snprintf (base, sizeof base, "%s%u:%u", bus, ref->controller, ref->unit);
    type = findf (r->vmx, "%s.deviceType", base);
    file = findf (r->vmx, "%s.fileName", base);

    /* The IDE controllers are part of the chipset; the others must be
     * added.  A device on a missing controller is still listed: dropping
     * a disk silently would lose data. */
    ctrl = findf (r->vmx, "%s%u.present", bus, ref->controller);
    if (entry_bool (r->what, ctrl, ref->bus == VM_BUS_IDE, &present) == -1)
      goto out;
    if (!present)
      log_debug ("vmx: %s: %s is on %s%u, which is not present", r->what,
                 base, bus, ref->controller);

    kind = device_kind (type ? type->value : NULL, file ? file->value : NULL);
    switch (kind) {
    case DEVICE_DISK:
      if (read_disk (r, ref, base, file) == -1)
        goto out;
      break;
    case DEVICE_CDROM_IMAGE:
    case DEVICE_CDROM_HOST:
      if (read_cdrom (r, ref, file, kind == DEVICE_CDROM_IMAGE) == -1)
        goto out;
      break;
    case DEVICE_EMPTY:
      log_debug ("vmx: %s: %s has neither a deviceType nor a fileName; not "
                 "described", r->what, base);
      break;
    case DEVICE_OTHER:
      log_debug ("vmx: %s: line %u: %s: device type \"%s\" is neither a disk "
                 "nor a CD-ROM; not described", r->what, type->line, base,
                 type->value);
      break;
    }
  }
  ret = 0;
 out:
  free (refs.ptr);
  return ret;
}

/* ---- network ---- */

static int
normalize_mac (struct reader *r, const struct vmx_entry *e, char **out)
{
  char mac[VM_MAC_SIZE];

  if (!vm_mac_normalize (e->value, mac))
    return bad_value (r->what, e, "a MAC address (00:50:56:xx:xx:xx)");
  return set_string (out, mac);
}

/* The MAC address of ethernetN / pciPassthruN: "generated" and "vpx"
 * (assigned by vCenter) keep it in .generatedAddress, "static" in
 * .address. */
static int
nic_mac (struct reader *r, const char *base, char **out)
{
  const struct vmx_entry *type = findf (r->vmx, "%s.addressType", base);
  const struct vmx_entry *e;

  *out = NULL;
  if (type && ascii_casecmp (type->value, "static") == 0)
    e = findf (r->vmx, "%s.address", base);
  else if (type == NULL || ascii_casecmp (type->value, "generated") == 0
           || ascii_casecmp (type->value, "vpx") == 0)
    e = findf (r->vmx, "%s.generatedAddress", base);
  else
    return bad_value (r->what, type, "a MAC address type (generated, "
                      "static, vpx)");
  if (e == NULL && type == NULL)
    e = findf (r->vmx, "%s.address", base);
  if (e == NULL) {
    log_debug ("vmx: %s: %s has no MAC address yet", r->what, base);
    return 0;
  }
  return normalize_mac (r, e, out);
}

/* The port group: its name, or on a distributed switch its id; Workstation
 * has only a connection type ("nat", "bridged"). */
static const char *
nic_network (struct reader *r, const char *base)
{
  const struct vmx_entry *e = findf (r->vmx, "%s.networkName", base);

  if (e == NULL)
    e = findf (r->vmx, "%s.dvs.portgroupId", base);
  if (e == NULL)
    e = findf (r->vmx, "%s.connectionType", base);
  return e ? e->value : NULL;
}

/* ethernetN.pciSlotNumber: ESXi writes it on first power-on, "-1" until
 * it has chosen one. */
static int
nic_pci_slot (struct reader *r, const char *base, unsigned *out)
{
  const struct vmx_entry *e = findf (r->vmx, "%s.pciSlotNumber", base);
  uint64_t slot;

  *out = 0;
  if (e == NULL || strcmp (e->value, "-1") == 0)
    return 0;
  if (entry_uint (r->what, e, 1, MAX_PCI_SLOT, "a PCI slot number",
                  &slot) == -1)
    return -1;
  *out = slot;
  return 0;
}

static int
append_nic (struct reader *r, const char *base, const char *model,
            bool sriov)
{
  struct vm_nic nic = { .sriov = sriov };
  const struct vmx_entry *e = findf (r->vmx, "%s.startConnected", base);

  if (e == NULL)
    e = findf (r->vmx, "%s.connected", base);
  if (entry_bool (r->what, e, true, &nic.connected) == -1
      || nic_pci_slot (r, base, &nic.pci_slot) == -1)
    return -1;
  if (r->vm->nics.len >= MAX_DEVICES) {
    error_set ("vmx: %s: more than %d network adapters", r->what,
               MAX_DEVICES);
    return -1;
  }
  if (set_string (&nic.model, model) == -1
      || set_string (&nic.network, nic_network (r, base)) == -1
      || nic_mac (r, base, &nic.mac) == -1
      || vm_nic_vector_append (&r->vm->nics, nic) == -1) {
    free (nic.model);
    free (nic.network);
    free (nic.mac);
    return -1;
  }
  return 0;
}

static int
read_ethernet (struct reader *r)
{
  index_vector idx = empty_vector;
  int ret = -1;

  if (collect_indexes (r->vmx, "ethernet", ".present", &idx) == -1)
    goto out;
  for (size_t i = 0; i < idx.len; i++) {
    const struct vmx_entry *dev;
    const char *model;
    char base[32];
    bool present;

    snprintf (base, sizeof base, "ethernet%u", idx.ptr[i]);
    if (entry_bool (r->what, findf (r->vmx, "%s.present", base), false,
                    &present) == -1)
      goto out;
    if (!present)
      continue;
    dev = findf (r->vmx, "%s.virtualDev", base);
    /* Without virtualDev the adapter is the "Flexible" one, which boots as
     * an AMD PCnet32 (vlance). */
    model = dev ? dev->value : "vlance";
    if (dev == NULL)
      log_debug ("vmx: %s: %s has no virtualDev: vlance", r->what, base);
    if (append_nic (r, base, model,
                    ascii_casecmp (model, "sriov") == 0) == -1)
      goto out;
  }
  ret = 0;
 out:
  free (idx.ptr);
  return ret;
}

/* ---- PCI passthrough ---- */

static int
pci_id (struct reader *r, const char *base, const char *field,
        uint64_t *out)
{
  const struct vmx_entry *e = findf (r->vmx, "%s.%s", base, field);

  *out = 0;
  if (e == NULL)
    return 0;
  if (!parse_number (e->value, out) || *out > 0xffff)
    return bad_value (r->what, e, "a PCI id (0x0000 to 0xffff)");
  return 0;
}

/* pciPassthruN: an SR-IOV virtual function (it has a .pfId) is a NIC;
 * anything else (DirectPath I/O, dynamic DirectPath, vGPU) is listed as
 * "<host address or pciPassthruN> [vendor:device] vgpu <profile>". */
static int
read_passthrough (struct reader *r)
{
  index_vector idx = empty_vector;
  int ret = -1;

  if (collect_indexes (r->vmx, "pciPassthru", ".present", &idx) == -1)
    goto out;
  for (size_t i = 0; i < idx.len; i++) {
    const struct vmx_entry *id, *vgpu, *dev;
    uint64_t vendor, device;
    char base[32], ids[16] = "", *s;
    bool present;

    snprintf (base, sizeof base, "pciPassthru%u", idx.ptr[i]);
    if (entry_bool (r->what, findf (r->vmx, "%s.present", base), false,
                    &present) == -1)
      goto out;
    if (!present)
      continue;
    if (findf (r->vmx, "%s.pfId", base) != NULL) {
      dev = findf (r->vmx, "%s.virtualDev", base);
      if (append_nic (r, base, dev ? dev->value : "sriov", true) == -1)
        goto out;
      continue;
    }
    if (pci_id (r, base, "vendorId", &vendor) == -1
        || pci_id (r, base, "deviceId", &device) == -1)
      goto out;
    if (vendor != 0 || device != 0)
      snprintf (ids, sizeof ids, " [%04" PRIx64 ":%04" PRIx64 "]", vendor,
                device);
    id = findf (r->vmx, "%s.id", base);
    vgpu = findf (r->vmx, "%s.vgpu", base);
    if (asprintf (&s, "%s%s%s%s", id ? id->value : base, ids,
                  vgpu ? " vgpu " : "", vgpu ? vgpu->value : "") == -1) {
      error_set_errno (errno, "vmx: asprintf");
      goto out;
    }
    if (vm_string_vector_append (&r->vm->passthrough, s) == -1) {
      free (s);
      goto out;
    }
  }
  ret = 0;
 out:
  free (idx.ptr);
  return ret;
}

/* ---- serial ports ---- */

static int
read_serials (struct reader *r)
{
  index_vector idx = empty_vector;
  int ret = -1;

  if (collect_indexes (r->vmx, "serial", ".present", &idx) == -1)
    goto out;
  for (size_t i = 0; i < idx.len; i++) {
    const struct vmx_entry *type, *file;
    struct vm_serial s = { 0 };
    char base[32];
    bool present;

    snprintf (base, sizeof base, "serial%u", idx.ptr[i]);
    if (entry_bool (r->what, findf (r->vmx, "%s.present", base), false,
                    &present) == -1)
      goto out;
    if (!present)
      continue;
    type = findf (r->vmx, "%s.fileType", base);
    file = findf (r->vmx, "%s.fileName", base);
    if (set_string (&s.kind, type ? type->value : NULL) == -1
        || set_string (&s.target, file ? file->value : NULL) == -1
        || vm_serial_vector_append (&r->vm->serials, s) == -1) {
      free (s.kind);
      free (s.target);
      goto out;
    }
  }
  ret = 0;
 out:
  free (idx.ptr);
  return ret;
}

/* ---- snapshots ---- */

/* The .vmsd next to the .vmx: snapshotN.uid / .displayName, and
 * snapshot.current, the uid the VM runs on.  snapshot.numSnapshots is not
 * trusted for anything (a count is no reason to allocate): the snapshots
 * are the snapshotN entries that exist. */
static int
read_snapshots (struct reader *r, const char *vmx_path)
{
  CLEANUP_FREE char *path = NULL, *text = NULL, *what = NULL;
  struct vmx_file *vmsd = NULL;
  index_vector idx = empty_vector;
  const struct vmx_entry *e;
  size_t len, stem;
  int ret = -1, rr;

  stem = strlen (vmx_path);
  if (ascii_suffix (vmx_path, ".vmx"))
    stem -= 4;
  if (asprintf (&path, "%.*s.vmsd", (int) stem, vmx_path) == -1) {
    path = NULL;
    error_set_errno (errno, "vmx: asprintf");
    return -1;
  }
  what = strdup (path_base_name (path));
  if (what == NULL) {
    error_set_errno (errno, "vmx: strdup");
    return -1;
  }
  rr = read_text_file (path, what, true, &text, &len);
  if (rr == 1) {
    log_debug ("vmx: %s: no %s: no snapshots", r->what, what);
    return 0;
  }
  if (rr == -1 || vmx_file_parse (text, len, what, &vmsd) == -1)
    return -1;

  if (collect_indexes (vmsd, "snapshot", ".uid", &idx) == -1)
    goto out;
  for (size_t i = 0; i < idx.len; i++) {
    struct vm_snapshot s = { 0 };
    const struct vmx_entry *name = findf (vmsd, "snapshot%u.displayName",
                                          idx.ptr[i]);

    e = findf (vmsd, "snapshot%u.uid", idx.ptr[i]);
    if (set_string (&s.uid, e->value) == -1
        || set_string (&s.name, name ? name->value : NULL) == -1
        || vm_snapshot_vector_append (&r->vm->snapshots, s) == -1) {
      free (s.uid);
      free (s.name);
      goto out;
    }
  }
  e = vmx_file_find (vmsd, "snapshot.numSnapshots");
  if (e) {
    uint64_t n;
    if (!ascii_parse_decimal (e->value, false, &n) || n != idx.len)
      log_debug ("vmx: %s: line %u: snapshot.numSnapshots = \"%.32s\" but "
                 "%zu snapshots are listed; using the list", what, e->line,
                 e->value, idx.len);
  }
  e = vmx_file_find (vmsd, "snapshot.current");
  if (e && set_string (&r->vm->current_snapshot, e->value) == -1)
    goto out;
  ret = 0;
 out:
  free (idx.ptr);
  vmx_file_free (vmsd);
  return ret;
}

/* ---- the VM ---- */

/* "56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc" -> canonical UUID. */
static int
read_uuid (struct reader *r, const struct vmx_entry *e)
{
  char hex[32], out[37];
  size_t n = 0, o = 0;

  for (const char *s = e->value; *s; s++) {
    if (*s == ' ' || *s == '-')
      continue;
    if (ascii_hex_digit ((unsigned char) *s) < 0 || n == 32)
      return bad_value (r->what, e, "a UUID (\"56 4d ... -...\")");
    hex[n++] = ascii_tolower ((unsigned char) *s);
  }
  if (n != 32)
    return bad_value (r->what, e, "a UUID (\"56 4d ... -...\")");
  for (size_t i = 0; i < 32; i++) {
    if (i == 8 || i == 12 || i == 16 || i == 20)
      out[o++] = '-';
    out[o++] = hex[i];
  }
  out[o] = '\0';
  return set_string (&r->vm->uuid, out);
}

static int
read_machine (struct reader *r)
{
  struct vm *vm = r->vm;
  const struct vmx_file *f = r->vmx;
  const struct vmx_entry *e;
  uint64_t v;
  bool flag;

  if (set_string (&vm->name, vmx_file_get (f, "displayName")) == -1)
    return -1;
  if ((e = vmx_file_find (f, "uuid.bios")) && read_uuid (r, e) == -1)
    return -1;

  vm->vcpus = 1;
  if ((e = vmx_file_find (f, "numvcpus"))) {
    if (entry_uint (r->what, e, 1, MAX_VCPUS, "a number of virtual CPUs "
                    "(1 to 4096)", &v) == -1)
      return -1;
    vm->vcpus = v;
  }
  if ((e = vmx_file_find (f, "cpuid.coresPerSocket"))) {
    if (entry_uint (r->what, e, 1, MAX_VCPUS, "a number of cores per socket "
                    "(1 to 4096)", &v) == -1)
      return -1;
    vm->cores_per_socket = v;
  }
  if ((e = vmx_file_find (f, "memSize"))
      && entry_uint (r->what, e, 1, MAX_MEMORY_MIB, "a memory size in MiB",
                     &vm->memory_mib) == -1)
    return -1;

  e = vmx_file_find (f, "firmware");
  if (e == NULL || ascii_casecmp (e->value, "bios") == 0)
    vm->firmware = VM_FIRMWARE_BIOS;
  else if (ascii_casecmp (e->value, "efi") == 0)
    vm->firmware = VM_FIRMWARE_UEFI;
  else
    log_debug ("vmx: %s: line %u: firmware \"%s\" unknown", r->what,
               e->line, e->value);
  if (entry_bool (r->what, vmx_file_find (f, "uefi.secureBoot.enabled"),
                  false, &vm->secure_boot) == -1)
    return -1;

  if ((e = vmx_file_find (f, "virtualHW.version"))) {
    char hw[16];
    if (entry_uint (r->what, e, 1, MAX_INDEX, "a virtual hardware version",
                    &v) == -1)
      return -1;
    snprintf (hw, sizeof hw, "vmx-%02" PRIu64, v);
    if (set_string (&vm->hardware_version, hw) == -1)
      return -1;
  }

  if ((e = vmx_file_find (f, "guestOS"))) {
    if (set_string (&vm->guest_os, e->value) == -1)
      return -1;
    vm->os_family = vm_os_family_from_vmware_id (e->value);
  }

  if (entry_bool (r->what, vmx_file_find (f, "vcpu.hotadd"), false,
                  &vm->cpu_hot_add) == -1
      || entry_bool (r->what, vmx_file_find (f, "mem.hotadd"), false,
                     &vm->memory_hot_add) == -1)
    return -1;
  e = vmx_file_find (f, "sched.cpu.affinity");
  if (e && e->value[0] && ascii_casecmp (e->value, "all") != 0
      && set_string (&vm->cpu_affinity, e->value) == -1)
    return -1;

  if (entry_bool (r->what, vmx_file_find (f, "ctkEnabled"), false,
                  &vm->cbt) == -1
      || entry_bool (r->what, vmx_file_find (f, "vtpm.present"), false,
                     &vm->tpm) == -1)
    return -1;
  for (const char *const *k = (const char *const[]) {
         "usb.present", "usb_xhci.present", "ehci.present", NULL }; *k; k++) {
    if (entry_bool (r->what, vmx_file_find (f, *k), false, &flag) == -1)
      return -1;
    vm->usb |= flag;
  }
  return 0;
}

int
vmx_read (const char *vmx_path, struct vm *vm)
{
  struct reader r = { .vm = vm, .what = path_base_name (vmx_path) };
  CLEANUP_FREE char *abs = NULL, *text = NULL;
  size_t len;
  char *slash;

  abs = realpath (vmx_path, NULL);
  if (abs == NULL) {
    error_set_errno (errno, "vmx: %s", vmx_path);
    return -1;
  }
  if (read_text_file (abs, r.what, false, &text, &len) == -1)
    return -1;
  if (vmx_file_parse (text, len, r.what, &r.vmx) == -1)
    return -1;

  slash = strrchr (abs, '/');
  r.dir = slash == abs ? strdup ("/") : strndup (abs, slash - abs);
  if (r.dir == NULL) {
    error_set_errno (errno, "vmx: strdup");
    goto fail;
  }
  if (asprintf (&vm->source, "vmx:%s", abs) == -1) {
    vm->source = NULL;
    error_set_errno (errno, "vmx: asprintf");
    goto fail;
  }
  if (read_machine (&r) == -1 || read_storage (&r) == -1
      || read_ethernet (&r) == -1 || read_passthrough (&r) == -1
      || read_serials (&r) == -1 || read_snapshots (&r, abs) == -1)
    goto fail;

  free (r.dir);
  vmx_file_free (r.vmx);
  return 0;

 fail:
  free (r.dir);
  vmx_file_free (r.vmx);
  vm_free (vm);
  return -1;
}
