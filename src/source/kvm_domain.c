/* kvm_domain.c: a libvirt domain's definition read into the VM model, the
 * facts the warm rules need, and the description of its backup job (see
 * kvm_internal.h).
 *
 * Reads only: nothing here changes the domain, its images or the host.
 * Facts are reported as found; what they mean for a migration is decided
 * by the rules (preflight/validate_warm.c).  An image header is read from
 * this machine's file system only when the daemon runs on this machine: a
 * remote host's path may name another file here.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source/kvm_internal.h"
#include "util/cleanup.h"
#include "util/endian.h"
#include "util/error.h"
#include "util/log.h"

/* Far above what libvirt allows a domain: a bound on what is allocated. */
#define KVM_MAX_DEVICES 1024

#define QCOW2_MAGIC 0x514649fbu         /* "QFI\xfb" */

int
kvm_strdup (char **out, const char *s)
{
  *out = s ? strdup (s) : NULL;
  if (s && *out == NULL) {
    error_set_errno (errno, "kvm: strdup");
    return -1;
  }
  return 0;
}

/* *out = a copy of attribute name of n (NULL when n or it is absent). */
static int
kvm_xml_prop (xmlNodePtr n, const char *name, char **out)
{
  xmlChar *v = n ? xmlGetProp (n, BAD_CAST name) : NULL;
  int r = kvm_strdup (out, (char *) v);

  xmlFree (v);
  return r;
}

/* Whether attribute name of n equals value. */
static bool
kvm_xml_prop_is (xmlNodePtr n, const char *name, const char *value)
{
  xmlChar *v = n ? xmlGetProp (n, BAD_CAST name) : NULL;
  bool r = v && xmlStrEqual (v, BAD_CAST value);

  xmlFree (v);
  return r;
}

/* An unsigned decimal attribute; absent or malformed = dflt. */
static unsigned
kvm_xml_prop_uint (xmlNodePtr n, const char *name, unsigned dflt)
{
  xmlChar *v = n ? xmlGetProp (n, BAD_CAST name) : NULL;
  char *end;
  unsigned long x;

  if (v == NULL)
    return dflt;
  errno = 0;
  x = strtoul ((char *) v, &end, 10);
  if (errno || end == (char *) v || *end || x > 1000000)
    x = dflt;
  xmlFree (v);
  return (unsigned) x;
}

/* ---- backup job ---- */

void
kvm_backup_free (struct kvm_backup *b)
{
  for (size_t i = 0; i < b->nr_disks; i++) {
    free (b->disks[i].target);
    free (b->disks[i].exportname);
    free (b->disks[i].exportbitmap);
  }
  free (b->disks);
  free (b->incremental);
  free (b->socket);
  free (b->host);
  free (b->port);
  memset (b, 0, sizeof *b);
}

static int
kvm_backup_parse (const char *xml, const char *domain, struct kvm_backup *b)
{
  xmlDocPtr doc = virt_xml_read (xml, "backup.xml");
  xmlNodePtr root, server, disks, d;
  char *inc;
  size_t n = 0;
  int r = -1;

  if (doc == NULL) {
    error_set ("kvm: %s: cannot read the backup job's description", domain);
    return -1;
  }
  root = xmlDocGetRootElement (doc);
  inc = virt_xml_child_text (root, "incremental");
  if (kvm_strdup (&b->incremental, inc) == -1)
    goto out;
  server = virt_xml_child (root, "server");
  if (kvm_xml_prop (server, "socket", &b->socket) == -1
      || kvm_xml_prop (server, "name", &b->host) == -1
      || kvm_xml_prop (server, "port", &b->port) == -1)
    goto out;
  disks = virt_xml_child (root, "disks");
  for (d = disks ? disks->children : NULL; d; d = d->next)
    n += virt_xml_is (d, "disk");
  if (n > KVM_MAX_DEVICES) {
    error_set ("kvm: %s: the backup job lists %zu disks", domain, n);
    goto out;
  }
  b->disks = calloc (n + 1, sizeof *b->disks);
  if (b->disks == NULL) {
    error_set_errno (errno, "kvm: calloc");
    goto out;
  }
  for (d = disks ? disks->children : NULL; d; d = d->next) {
    struct kvm_backup_disk *bd = &b->disks[b->nr_disks];

    if (!virt_xml_is (d, "disk") || kvm_xml_prop_is (d, "backup", "no"))
      continue;
    b->nr_disks++;
    if (kvm_xml_prop (d, "name", &bd->target) == -1
        || kvm_xml_prop (d, "exportname", &bd->exportname) == -1
        || kvm_xml_prop (d, "exportbitmap", &bd->exportbitmap) == -1)
      goto out;
  }
  r = 0;
out:
  xmlFree (inc);
  xmlFreeDoc (doc);
  return r;
}

int
kvm_backup_read (struct kvm_priv *k, struct kvm_backup *out)
{
  virDomainJobInfo info;
  CLEANUP_FREE char *xml = NULL;

  memset (out, 0, sizeof *out);
  if (virDomainIsActive (k->dom) != 1)
    return 0;
  if (virDomainGetJobInfo (k->dom, &info) == -1) {
    virt_error_set ("reading the job of domain %s", k->name);
    return -1;
  }
  if (info.type == VIR_DOMAIN_JOB_NONE)
    return 0;
  xml = virDomainBackupGetXMLDesc (k->dom, 0);
  if (xml == NULL) {
    /* Another kind of job (a migration): no backup runs. */
    if (virGetLastErrorCode () == VIR_ERR_NO_DOMAIN_BACKUP)
      return 0;
    virt_error_set ("reading the backup job of domain %s", k->name);
    return -1;
  }
  if (kvm_backup_parse (xml, k->name, out) == -1) {
    kvm_backup_free (out);
    return -1;
  }
  return 1;
}

bool
kvm_backup_is_ours (const struct kvm_backup *b, const char *prefix)
{
  for (size_t i = 0; i < b->nr_disks; i++)
    if (b->disks[i].exportname
        && strncmp (b->disks[i].exportname, prefix, strlen (prefix)) == 0)
      return true;
  return false;
}

/* ---- the VM model ---- */

struct kvm_reader {
  struct kvm_priv *k;
  struct vm *vm;
  struct kvm_facts *facts;      /* NULL: not wanted */
  xmlNodePtr devices;
};

static enum vm_bus
kvm_bus (const char *bus)
{
  static const struct { const char *name; enum vm_bus bus; } buses[] = {
    { "virtio", VM_BUS_VIRTIO }, { "scsi", VM_BUS_SCSI },
    { "sata", VM_BUS_SATA }, { "ide", VM_BUS_IDE }, { "nvme", VM_BUS_NVME },
  };

  for (size_t i = 0; bus && i < sizeof buses / sizeof *buses; i++)
    if (strcmp (bus, buses[i].name) == 0)
      return buses[i].bus;
  return VM_BUS_UNKNOWN;
}

/* Controller and unit: the drive address when written, else the target
 * name's letters ("vdb" = unit 1, "sdaa" = unit 26). */
static void
kvm_disk_slot (xmlNodePtr n, const char *target, unsigned *controller,
               unsigned *unit)
{
  xmlNodePtr addr = virt_xml_child (n, "address");

  *controller = 0;
  *unit = 0;
  if (addr && kvm_xml_prop_is (addr, "type", "drive")) {
    *controller = kvm_xml_prop_uint (addr, "controller", 0);
    *unit = kvm_xml_prop_uint (addr, "unit", 0);
    return;
  }
  if (target && strlen (target) > 2) {
    unsigned u = 0;
    for (const char *c = target + 2; *c >= 'a' && *c <= 'z' && u < 100000;
         c++)
      u = u * 26 + (unsigned) (*c - 'a' + 1);
    *unit = u ? u - 1 : 0;
  }
}

/* The model of the SCSI controller of that index, or NULL. */
static xmlChar *
kvm_scsi_model (struct kvm_reader *r, unsigned index)
{
  for (xmlNodePtr c = r->devices->children; c; c = c->next)
    if (virt_xml_is (c, "controller") && kvm_xml_prop_is (c, "type", "scsi")
        && kvm_xml_prop_uint (c, "index", 0) == index)
      return xmlGetProp (c, BAD_CAST "model");
  return NULL;
}

/* The image path of a <disk>: file, block device, or a pool's volume;
 * NULL for network disks (nothing on the host to name). */
static int
kvm_disk_path (struct kvm_reader *r, xmlNodePtr n, char **path)
{
  xmlNodePtr src = virt_xml_child (n, "source");
  CLEANUP_FREE char *pool = NULL, *volume = NULL;
  virStoragePoolPtr p;
  virStorageVolPtr v;

  *path = NULL;
  if (kvm_xml_prop (src, "file", path) == -1
      || (*path == NULL && kvm_xml_prop (src, "dev", path) == -1))
    return -1;
  if (*path || !kvm_xml_prop_is (n, "type", "volume"))
    return 0;
  if (kvm_xml_prop (src, "pool", &pool) == -1
      || kvm_xml_prop (src, "volume", &volume) == -1)
    return -1;
  if (pool == NULL || volume == NULL)
    return 0;
  p = virStoragePoolLookupByName (r->k->conn, pool);
  v = p ? virStorageVolLookupByName (p, volume) : NULL;
  *path = v ? virStorageVolGetPath (v) : NULL;
  if (*path == NULL)
    log_debug ("kvm: %s: volume %s of pool %s: %s", r->k->name, volume, pool,
               virGetLastErrorMessage ());
  if (v)
    virStorageVolFree (v);
  if (p)
    virStoragePoolFree (p);
  return 0;
}

/* Whether a qcow2 image is version 3 (compat 1.1), which alone can hold
 * persistent bitmaps: from the storage pool's description of the volume
 * (which a remote host gives too), else from the image header when the
 * daemon is local; *known false when neither can say. */
static void
kvm_qcow2_version (struct kvm_priv *k, const char *path, bool *v3,
                   bool *known)
{
  virStorageVolPtr vol;
  uint8_t head[8];

  *v3 = *known = false;
  if (path == NULL)
    return;
  vol = virStorageVolLookupByPath (k->conn, path);
  if (vol) {
    char *xml = virStorageVolGetXMLDesc (vol, 0);
    xmlDocPtr doc = xml ? virt_xml_read (xml, "volume.xml") : NULL;
    xmlNodePtr target = doc ? virt_xml_child (xmlDocGetRootElement (doc),
                                              "target") : NULL;
    char *compat = virt_xml_child_text (target, "compat");

    if (compat) {
      *known = true;
      *v3 = strcmp (compat, "0.10") != 0;
    }
    xmlFree (compat);
    xmlFreeDoc (doc);
    free (xml);
    virStorageVolFree (vol);
    if (*known)
      return;
  }
  if (k->local) {
    CLEANUP_CLOSE int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd >= 0 && pread (fd, head, sizeof head, 0) == (ssize_t) sizeof head
        && get_be32 (head) == QCOW2_MAGIC) {
      *known = true;
      *v3 = get_be32 (head + 4) >= 3;
      return;
    }
  }
  log_debug ("kvm: %s: %s: the qcow2 version cannot be read here", k->name,
             path);
}

static int
kvm_read_cdrom (struct kvm_reader *r, xmlNodePtr n, const char *target,
                const char *bus)
{
  struct vm_cdrom c = { .bus = kvm_bus (bus) };

  kvm_disk_slot (n, target, &c.controller, &c.unit);
  if (kvm_disk_path (r, n, &c.path) == -1)
    return -1;
  if (vm_cdrom_vector_append (&r->vm->cdroms, c) == -1) {
    free (c.path);
    return -1;
  }
  return 0;
}

static int
kvm_fact_disk (struct kvm_reader *r, xmlNodePtr n, const struct vm_disk *d,
               const char *target)
{
  struct kvm_facts *f = r->facts;
  struct kvm_disk_fact *x;
  void *p;

  p = realloc (f->disks, (f->nr_disks + 1) * sizeof *f->disks);
  if (p == NULL) {
    error_set_errno (errno, "kvm: realloc");
    return -1;
  }
  f->disks = p;
  x = &f->disks[f->nr_disks++];
  memset (x, 0, sizeof *x);
  x->readonly = virt_xml_child (n, "readonly") != NULL;
  x->shareable = d->shared;
  x->size = d->capacity;
  if (kvm_strdup (&x->target, target) == -1
      || kvm_strdup (&x->path, d->path) == -1
      || kvm_xml_prop (virt_xml_child (n, "driver"), "type", &x->format)
         == -1)
    return -1;
  if (x->format && strcmp (x->format, "qcow2") == 0)
    kvm_qcow2_version (r->k, d->path, &x->qcow2_v3, &x->qcow2_v3_known);
  return 0;
}

static int
kvm_read_disk (struct kvm_reader *r, xmlNodePtr n)
{
  struct vm_disk d = { .mode = VM_DISK_PERSISTENT };
  CLEANUP_FREE char *device = NULL, *target = NULL, *bus = NULL;
  xmlNodePtr t = virt_xml_child (n, "target");
  virDomainBlockInfo info;
  char **targets;
  const char *slash;

  if (kvm_xml_prop (n, "device", &device) == -1
      || kvm_xml_prop (t, "dev", &target) == -1
      || kvm_xml_prop (t, "bus", &bus) == -1)
    return -1;
  if (device && strcmp (device, "cdrom") == 0)
    return kvm_read_cdrom (r, n, target, bus);
  if (device && strcmp (device, "disk") != 0 && strcmp (device, "lun") != 0) {
    log_debug ("kvm: %s: %s: a %s, not described", r->k->name,
               target ? target : "?", device);
    return 0;
  }
  if (target == NULL) {
    error_set ("kvm: %s: a disk without a target device name", r->k->name);
    return -1;
  }
  if (r->vm->disks.len >= KVM_MAX_DEVICES) {
    error_set ("kvm: %s: more than %d disks", r->k->name, KVM_MAX_DEVICES);
    return -1;
  }
  d.bus = kvm_bus (bus);
  kvm_disk_slot (n, target, &d.controller, &d.unit);
  if (d.bus == VM_BUS_SCSI) {
    xmlChar *model = kvm_scsi_model (r, d.controller);
    int rr = kvm_strdup (&d.controller_model, (char *) model);
    xmlFree (model);
    if (rr == -1)
      return -1;
  }
  if (kvm_disk_path (r, n, &d.path) == -1)
    goto fail;
  if (d.path) {
    slash = strrchr (d.path, '/');
    d.datastore = slash == NULL ? NULL
      : slash == d.path ? strdup ("/") : strndup (d.path, slash - d.path);
    if (slash && d.datastore == NULL) {
      error_set_errno (errno, "kvm: strdup");
      goto fail;
    }
  }
  if (virt_xml_child (n, "transient"))
    d.mode = VM_DISK_INDEPENDENT_NONPERSISTENT;
  d.shared = virt_xml_child (n, "shareable") != NULL;
  if (virDomainGetBlockInfo (r->k->dom, target, &info, 0) == 0)
    d.capacity = info.capacity;
  else
    log_debug ("kvm: %s: %s: capacity unknown: %s", r->k->name, target,
               virGetLastErrorMessage ());
  targets = realloc (r->k->targets,
                     (r->vm->disks.len + 1) * sizeof *targets);
  if (targets == NULL) {
    error_set_errno (errno, "kvm: realloc");
    goto fail;
  }
  r->k->targets = targets;
  if (r->facts && kvm_fact_disk (r, n, &d, target) == -1)
    goto fail;
  if (vm_disk_vector_append (&r->vm->disks, d) == -1)
    goto fail;
  targets[r->vm->disks.len - 1] = steal_pointer (&target);
  return 0;
fail:
  free (d.controller_model);
  free (d.path);
  free (d.datastore);
  return -1;
}

static int
kvm_read_nic (struct kvm_reader *r, xmlNodePtr n)
{
  struct vm_nic nic = { .connected = true };
  xmlNodePtr src = virt_xml_child (n, "source");
  xmlNodePtr link = virt_xml_child (n, "link");
  CLEANUP_FREE char *mac = NULL;
  char norm[VM_MAC_SIZE];

  if (r->vm->nics.len >= KVM_MAX_DEVICES) {
    error_set ("kvm: %s: more than %d interfaces", r->k->name,
               KVM_MAX_DEVICES);
    return -1;
  }
  if (kvm_xml_prop (virt_xml_child (n, "mac"), "address", &mac) == -1
      || kvm_xml_prop (virt_xml_child (n, "model"), "type", &nic.model)
         == -1
      || kvm_xml_prop (src, "network", &nic.network) == -1
      || (nic.network == NULL
          && kvm_xml_prop (src, "bridge", &nic.network) == -1))
    goto fail;
  /* libvirt writes MACs normalised already; keep a bad one as written so
   * that the rules report it. */
  if (kvm_strdup (&nic.mac, mac && vm_mac_normalize (mac, norm) ? norm : mac)
      == -1)
    goto fail;
  nic.connected = !(link && kvm_xml_prop_is (link, "state", "down"));
  nic.sriov = kvm_xml_prop_is (n, "type", "hostdev");
  if (vm_nic_vector_append (&r->vm->nics, nic) == -1)
    goto fail;
  return 0;
fail:
  free (nic.model);
  free (nic.network);
  free (nic.mac);
  return -1;
}

/* A PCI <hostdev>: "0000:03:00.0"; others by their type. */
static int
kvm_read_hostdev (struct kvm_reader *r, xmlNodePtr n)
{
  xmlNodePtr a = virt_xml_child (virt_xml_child (n, "source"), "address");
  CLEANUP_FREE char *dom = NULL, *bus = NULL, *slot = NULL, *fn = NULL,
    *type = NULL;
  char *s;

  if (kvm_xml_prop (a, "domain", &dom) == -1
      || kvm_xml_prop (a, "bus", &bus) == -1
      || kvm_xml_prop (a, "slot", &slot) == -1
      || kvm_xml_prop (a, "function", &fn) == -1
      || kvm_xml_prop (n, "type", &type) == -1)
    return -1;
  if (asprintf (&s, "%s %s:%s:%s.%s", type ? type : "hostdev",
                dom ? dom : "?", bus ? bus : "?", slot ? slot : "?",
                fn ? fn : "?") == -1) {
    error_set_errno (errno, "kvm: asprintf");
    return -1;
  }
  if (vm_string_vector_append (&r->vm->passthrough, s) == -1) {
    free (s);
    return -1;
  }
  return 0;
}

static int
kvm_read_serial (struct kvm_reader *r, xmlNodePtr n)
{
  struct vm_serial s = { 0 };

  if (kvm_xml_prop (n, "type", &s.kind) == -1
      || kvm_xml_prop (virt_xml_child (n, "source"), "path", &s.target) == -1
      || vm_serial_vector_append (&r->vm->serials, s) == -1) {
    free (s.kind);
    free (s.target);
    return -1;
  }
  return 0;
}

static int
kvm_read_devices (struct kvm_reader *r)
{
  for (xmlNodePtr n = r->devices ? r->devices->children : NULL; n;
       n = n->next) {
    int rr = 0;

    if (virt_xml_is (n, "disk"))
      rr = kvm_read_disk (r, n);
    else if (virt_xml_is (n, "interface"))
      rr = kvm_read_nic (r, n);
    else if (virt_xml_is (n, "hostdev"))
      rr = kvm_read_hostdev (r, n);
    else if (virt_xml_is (n, "serial"))
      rr = kvm_read_serial (r, n);
    else if (virt_xml_is (n, "tpm"))
      r->vm->tpm = true;
    else if (virt_xml_is (n, "controller")
             && kvm_xml_prop_is (n, "type", "usb")
             && !kvm_xml_prop_is (n, "model", "none"))
      r->vm->usb = true;
    else if (virt_xml_is (n, "channel")
             && kvm_xml_prop_is (virt_xml_child (n, "target"), "name",
                                 "org.qemu.guest_agent.0"))
      r->k->agent = true;
    if (rr == -1)
      return -1;
  }
  return 0;
}

/* The OS family of a libosinfo id ("http://debian.org/debian/12",
 * "http://microsoft.com/win/10"), which virt-install records in the
 * domain's metadata. */
static enum vm_os_family
kvm_os_family (const char *id)
{
  static const char *const linux_vendors[] = {
    "debian.org", "ubuntu.com", "fedoraproject.org", "redhat.com",
    "centos.org", "almalinux.org", "rockylinux.org", "opensuse.org",
    "suse.com", "archlinux.org", "alpinelinux.org", "oracle.com",
    "gentoo.org", "mageia.org", "novell.com", NULL,
  };
  static const char *const other_vendors[] = {
    "freebsd.org", "openbsd.org", "netbsd.org", "dragonflybsd.org",
    "oracle.com/solaris", "sun.com", NULL,
  };
  const char *host = strstr (id, "://");

  host = host ? host + 3 : id;
  if (strncmp (host, "microsoft.com/", 14) == 0)
    return VM_OS_WINDOWS;
  for (const char *const *v = other_vendors; *v; v++)
    if (strncmp (host, *v, strlen (*v)) == 0)
      return VM_OS_OTHER;
  for (const char *const *v = linux_vendors; *v; v++)
    if (strncmp (host, *v, strlen (*v)) == 0)
      return VM_OS_LINUX;
  return VM_OS_UNKNOWN;
}

static int
kvm_read_machine (struct kvm_reader *r, xmlNodePtr root)
{
  struct vm *vm = r->vm;
  xmlNodePtr os = virt_xml_child (root, "os");
  xmlNodePtr loader = virt_xml_child (os, "loader");
  xmlNodePtr vcpu = virt_xml_child (root, "vcpu");
  xmlNodePtr topology = virt_xml_child (virt_xml_child (root, "cpu"),
                                        "topology");
  xmlNodePtr meta = virt_xml_child (root, "metadata");
  char uuid[VIR_UUID_STRING_BUFLEN];
  virDomainInfo info;

  if (virDomainGetUUIDString (r->k->dom, uuid) == -1
      || virDomainGetInfo (r->k->dom, &info) == -1) {
    virt_error_set ("reading domain %s", r->k->name);
    return -1;
  }
  if (kvm_strdup (&vm->name, r->k->name) == -1
      || kvm_strdup (&vm->uuid, uuid) == -1
      || kvm_xml_prop (virt_xml_child (os, "type"), "machine",
                       &vm->hardware_version) == -1)
    return -1;
  /* The persistent size, not what a balloon left of it. */
  vm->memory_mib = info.maxMem / 1024;
  vm->vcpus = kvm_xml_prop_uint (vcpu, "current", 0);
  if (vm->vcpus == 0 && vcpu) {
    xmlChar *text = xmlNodeGetContent (vcpu);
    vm->vcpus = text ? (unsigned) strtoul ((char *) text, NULL, 10) : 0;
    xmlFree (text);
  }
  vm->cores_per_socket = kvm_xml_prop_uint (topology, "cores", 0);
  if (kvm_xml_prop_is (os, "firmware", "efi")
      || (loader && kvm_xml_prop_is (loader, "type", "pflash")))
    vm->firmware = VM_FIRMWARE_UEFI;
  else
    vm->firmware = VM_FIRMWARE_BIOS;
  vm->secure_boot = loader && kvm_xml_prop_is (loader, "secure", "yes");

  /* <metadata><libosinfo:libosinfo><libosinfo:os id=.../> */
  for (xmlNodePtr m = meta ? meta->children : NULL; m; m = m->next) {
    xmlNodePtr o = virt_xml_is (m, "libosinfo") ? virt_xml_child (m, "os")
      : NULL;
    if (o) {
      if (kvm_xml_prop (o, "id", &vm->guest_os) == -1)
        return -1;
      if (vm->guest_os)
        vm->os_family = kvm_os_family (vm->guest_os);
    }
  }
  return 0;
}

/* ---- facts ---- */

static int
kvm_read_checkpoints (struct kvm_priv *k, const char *prefix,
                      struct kvm_facts *f)
{
  virDomainCheckpointPtr *cps = NULL;
  int n = virDomainListAllCheckpoints (k->dom, &cps, 0);

  if (n < 0) {
    virt_error_set ("listing the checkpoints of domain %s", k->name);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    const char *name = virDomainCheckpointGetName (cps[i]);

    if (strncmp (name, prefix, strlen (prefix)) == 0)
      f->nr_own_checkpoints++;
    else
      f->nr_foreign_checkpoints++;
    virDomainCheckpointFree (cps[i]);
  }
  free (cps);
  return 0;
}

static const char *
kvm_block_job_name (int type)
{
  switch (type) {
  case VIR_DOMAIN_BLOCK_JOB_TYPE_PULL: return "pull";
  case VIR_DOMAIN_BLOCK_JOB_TYPE_COPY: return "copy";
  case VIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT: return "commit";
  case VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT: return "active commit";
  case VIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP: return "backup";
  }
  return "unknown";
}

/* Another job on the domain: a backup that is not ours, a domain job
 * (migration, dump, ...) or a block job on a disk.  A backup job of ours,
 * left by a process that died, is not one: recovery ends it. */
static int
kvm_read_jobs (struct kvm_priv *k, const char *prefix, struct kvm_facts *f)
{
  struct kvm_backup b;
  virDomainJobInfo info;
  int r;

  if (!f->running)
    return 0;
  r = kvm_backup_read (k, &b);
  if (r == -1)
    return -1;
  if (r == 1) {
    bool ours = kvm_backup_is_ours (&b, prefix);
    kvm_backup_free (&b);
    if (ours)
      return 0;
    f->block_job = true;
    return kvm_strdup (&f->block_job_what, "a backup job");
  }
  if (virDomainGetJobInfo (k->dom, &info) == -1) {
    virt_error_set ("reading the job of domain %s", k->name);
    return -1;
  }
  if (info.type != VIR_DOMAIN_JOB_NONE) {
    f->block_job = true;
    return kvm_strdup (&f->block_job_what,
                       "a domain job (migration, save or dump)");
  }
  for (size_t i = 0; i < f->nr_disks; i++) {
    virDomainBlockJobInfo bj;
    char *what;

    if (virDomainGetBlockJobInfo (k->dom, f->disks[i].target, &bj, 0) != 1)
      continue;
    if (asprintf (&what, "a block %s job on %s", kvm_block_job_name (bj.type),
                  f->disks[i].target) == -1) {
      error_set_errno (errno, "kvm: asprintf");
      return -1;
    }
    f->block_job = true;
    f->block_job_what = what;
    return 0;
  }
  return 0;
}

static int
kvm_read_facts (struct kvm_priv *k, const char *prefix, struct kvm_facts *f)
{
  int state, reason;

  if (virConnectGetLibVersion (k->conn, &f->libvirt_version) == -1
      || virConnectGetVersion (k->conn, &f->qemu_version) == -1) {
    virt_error_set ("reading the versions on %s",
                    k->uri[0] ? k->uri : "the default URI");
    return -1;
  }
  if (virDomainGetState (k->dom, &state, &reason, 0) == -1) {
    virt_error_set ("reading the state of domain %s", k->name);
    return -1;
  }
  f->running = state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED
    || state == VIR_DOMAIN_PAUSED;
  f->persistent = virDomainIsPersistent (k->dom) == 1;
  if (kvm_read_checkpoints (k, prefix, f) == -1
      || kvm_read_jobs (k, prefix, f) == -1)
    return -1;
  return 0;
}

void
kvm_facts_free (struct kvm_facts *f)
{
  for (size_t i = 0; i < f->nr_disks; i++) {
    free (f->disks[i].target);
    free (f->disks[i].path);
    free (f->disks[i].format);
  }
  free (f->disks);
  free (f->block_job_what);
  memset (f, 0, sizeof *f);
}

int
kvm_domain_read (struct kvm_priv *k, const char *prefix, struct vm *vm,
                 struct kvm_facts *facts)
{
  struct kvm_reader r = { .k = k, .vm = vm, .facts = facts };
  CLEANUP_FREE char *xml = virDomainGetXMLDesc (k->dom, 0);
  xmlDocPtr doc;
  xmlNodePtr root;
  int ret = -1;

  if (xml == NULL) {
    virt_error_set ("reading the definition of domain %s", k->name);
    return -1;
  }
  doc = virt_xml_read (xml, "domain.xml");
  if (doc == NULL) {
    error_set ("kvm: %s: cannot read the domain's XML", k->name);
    return -1;
  }
  root = xmlDocGetRootElement (doc);
  r.devices = virt_xml_child (root, "devices");
  if (asprintf (&vm->source, "kvm:%s@%s", k->name,
                k->uri[0] ? k->uri : "default") == -1) {
    vm->source = NULL;
    error_set_errno (errno, "kvm: asprintf");
    goto out;
  }
  if (kvm_read_machine (&r, root) == -1 || kvm_read_devices (&r) == -1)
    goto out;
  /* Changed block tracking, for the generic rules: the images can hold
   * the checkpoints' bitmaps, as far as is known (the warm rules say
   * which cannot, and which could not be checked). */
  vm->cbt = true;
  for (size_t i = 0; facts && i < facts->nr_disks; i++)
    if (facts->disks[i].qcow2_v3_known && !facts->disks[i].qcow2_v3)
      vm->cbt = false;
  if (facts && kvm_read_facts (k, prefix, facts) == -1)
    goto out;
  ret = 0;
out:
  xmlFreeDoc (doc);
  return ret;
}
