/* validate.c: the pre-flight validation rules; see validate.h.
 *
 * validate_vm() runs the rules in a fixed order (machine, disks, snapshots
 * and CBT, NICs, devices, space) so that reports are stable and diffable.
 * Each rule is a few lines reading the model; only the disk rules touch
 * files: every disk's chain is opened once, read-only, and closed before
 * returning.  The space rule, and only it, walks block status.
 *
 * A rule never fails the validation because of what it finds: a broken
 * disk, an unreadable chain, a missing mapping are findings.  validate_vm
 * returns -1 only for out-of-memory and for a context it cannot use.
 *
 * Severities follow what the target writer (vm/vm_xml.c) and the copy can
 * actually do: anything the writer refuses is Critical here, so that a
 * plan that validates cleanly does not fail at cutover.  Those limits are
 * not restated here: the rules ask the writer's own predicates
 * (vm_xml_disk_check, vm_xml_ide_devices, ...; see vm_xml.h).  The
 * reasons are in docs/validation.md; keep the two in step.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "disk/disk.h"
#include "preflight/validate.h"
#include "source/source.h"
#include "util/checked.h"
#include "util/error.h"
#include "util/json.h"
#include "util/progress.h"
#include "vm/vm_xml.h"

const struct validate_rule validate_rules[] = {
  { "name-invalid", FINDING_CRITICAL,
    "the VM's name cannot name a libvirt domain" },
  { "uuid-invalid", FINDING_CRITICAL,
    "the source's UUID is not in 8-4-4-4-12 form" },
  { "vcpus-invalid", FINDING_CRITICAL,
    "the source records no vCPU count" },
  { "memory-invalid", FINDING_CRITICAL,
    "the source records no memory size" },
  { "firmware-unsupported", FINDING_CRITICAL,
    "firmware settings the target cannot reproduce (or unknown firmware)" },
  { "guest-os-unknown", FINDING_WARNING,
    "the guest OS is not recorded or not recognised" },
  { "guest-os-unsupported", FINDING_WARNING,
    "a guest OS that ferry copies but cannot adapt (neither Linux nor "
    "Windows)" },
  { "windows-virtio", FINDING_CRITICAL,
    "a Windows guest planned with VirtIO devices, whose drivers ferry "
    "cannot install yet (use --compat)" },
  { "no-disks", FINDING_WARNING,
    "the VM has no disks" },
  { "rdm-physical", FINDING_CRITICAL,
    "a physical-mode raw device mapping (pass-through LUN)" },
  { "rdm-virtual", FINDING_CRITICAL,
    "a virtual-mode raw device mapping" },
  { "disk-chain-broken", FINDING_CRITICAL,
    "a disk's image chain cannot be opened or read" },
  { "disk-capacity-invalid", FINDING_CRITICAL,
    "a disk's size is 0, not whole sectors, or not what the source says" },
  { "disk-independent", FINDING_WARNING,
    "an independent disk (Warning when it matters: persistent for warm, "
    "nonpersistent always; else Info)" },
  { "disk-shared", FINDING_WARNING,
    "a disk shared with other VMs (multi-writer)" },
  { "disk-shared-transient", FINDING_CRITICAL,
    "a shared disk that is also independent-nonpersistent" },
  { "storage-unmapped", FINDING_CRITICAL,
    "the storage mapping has nothing for a disk's datastore" },
  { "snapshots-present", FINDING_WARNING,
    "the VM has snapshots: it runs on delta disks" },
  { "cbt-disabled", FINDING_WARNING,
    "changed block tracking is off (Warning for warm, Info for cold)" },
  { "sriov-nic", FINDING_CRITICAL,
    "an SR-IOV virtual function NIC" },
  { "nic-mac-invalid", FINDING_CRITICAL,
    "a NIC's MAC address is malformed or not unicast" },
  { "network-unmapped", FINDING_CRITICAL,
    "the network mapping has nothing for a NIC's network" },
  { "passthrough-device", FINDING_CRITICAL,
    "a PCI passthrough device (DirectPath I/O, vGPU)" },
  { "ide-devices-exceeded", FINDING_CRITICAL,
    "more devices on the i440fx machine's IDE than its four places" },
  { "tpm-present", FINDING_WARNING,
    "a virtual TPM, whose contents are not migrated" },
  { "usb-controller", FINDING_INFO,
    "a USB controller; host-attached USB devices are not migrated" },
  { "cpu-hotplug", FINDING_INFO,
    "CPU hot-add is enabled" },
  { "memory-hotplug", FINDING_INFO,
    "memory hot-add is enabled" },
  { "cpu-affinity", FINDING_WARNING,
    "the VM is pinned to host CPUs" },
  { "target-space", FINDING_CRITICAL,
    "the target has too little free space for the disks" },
  /* Warm migration of a running KVM guest: validate_warm.c. */
  { "warm-not-running", FINDING_CRITICAL,
    "the KVM domain is not running" },
  { "warm-transient-domain", FINDING_CRITICAL,
    "the KVM domain has no persistent definition" },
  { "warm-hypervisor-old", FINDING_CRITICAL,
    "libvirt or QEMU too old for pull-mode backups with checkpoints" },
  { "warm-block-job", FINDING_CRITICAL,
    "another backup, block or domain job runs on the domain" },
  { "warm-disk-format", FINDING_CRITICAL,
    "a disk that cannot hold persistent dirty bitmaps (not qcow2 v3; "
    "Warning when the version cannot be read)" },
  { "warm-disk-readonly", FINDING_CRITICAL,
    "a read-only disk, which cannot hold a checkpoint's bitmap" },
  { "warm-disk-shared", FINDING_CRITICAL,
    "a shareable disk, whose other writers no bitmap of this domain sees" },
  { "warm-scratch-space", FINDING_CRITICAL,
    "too little room for the backup jobs' scratch images (Warning when "
    "less than the disks' size)" },
  { "checkpoints-foreign", FINDING_INFO,
    "the domain has checkpoints ferry did not make" },
  { "checkpoints-own", FINDING_INFO,
    "checkpoints of this migration are left from an earlier run" },
  { NULL, 0, NULL },
};

/* Allocation units of the target images, for the space estimate: qcow2
 * clusters as ferry creates them, file system blocks for raw files. */
#define QCOW2_CLUSTER (UINT64_C (64) * 1024)
#define RAW_BLOCK UINT64_C (4096)
#define SECTOR UINT64_C (512)

const struct validate_rule *
validate_rule_find (const char *id)
{
  for (const struct validate_rule *r = validate_rules; r->id; r++)
    if (strcmp (r->id, id) == 0)
      return r;
  return NULL;
}

const char *
validate_severity_name (enum finding_severity severity)
{
  switch (severity) {
  case FINDING_INFO: return "info";
  case FINDING_WARNING: return "warning";
  case FINDING_CRITICAL: return "critical";
  }
  return "unknown";
}

struct validation {
  const struct vm *vm;
  const struct validate_context *ctx;
  finding_vector *out;
  struct disk **chains;        /* one per vm->disks entry; NULL = not open */
};

static int
finding_add_v (finding_vector *out, const char *rule,
               enum finding_severity severity, int disk, int nic,
               const char *fmt, va_list ap)
{
  struct finding f = { .rule = rule, .severity = severity, .disk = disk,
                       .nic = nic };

  if (vasprintf (&f.message, fmt, ap) == -1) {
    error_set_errno (ENOMEM, "validate: %s", rule);
    return -1;
  }
  if (finding_vector_append (out, f) == -1) {
    free (f.message);
    error_set_errno (ENOMEM, "validate: %s", rule);
    return -1;
  }
  return 0;
}

int
validate_finding_add (finding_vector *out, const char *rule,
                      enum finding_severity severity, int disk, int nic,
                      const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = finding_add_v (out, rule, severity, disk, nic, fmt, ap);
  va_end (ap);
  return r;
}

static int __attribute__ ((format (printf, 6, 7)))
report (struct validation *v, const char *rule,
        enum finding_severity severity, int disk, int nic,
        const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = finding_add_v (v->out, rule, severity, disk, nic, fmt, ap);
  va_end (ap);
  return r;
}

static const char *
disk_label (char *buf, size_t len, size_t i, const struct vm_disk *d)
{
  snprintf (buf, len, "disk %zu (%s%u:%u)", i, vm_bus_name (d->bus),
            d->controller, d->unit);
  return buf;
}

/* The format the migration writes images in (shared disks aside). */
static const char *
target_format (const struct validation *v)
{
  return v->ctx->target_format ? v->ctx->target_format : "qcow2";
}

static const char *
nic_network (const struct vm_nic *n)
{
  return n->network ? n->network : "(none)";
}

static const char *
bytes_text (uint64_t bytes, char *buf, size_t len)
{
  return progress_format_bytes (bytes, buf, len);
}

/* ---- machine ---- */

static int
check_machine (struct validation *v)
{
  const struct vm *vm = v->vm;
  const char *name = v->ctx->name ? v->ctx->name : vm->name;
  const char *why = vm_xml_name_problem (name);

  /* Not quoted: a name with control characters would break the line. */
  if (why
      && report (v, "name-invalid", FINDING_CRITICAL, -1, -1,
                 "the domain name %s: it cannot name a libvirt domain; "
                 "give the VM another name (--name)", why) == -1)
    return -1;
  if (vm->uuid && !vm_xml_uuid_is_valid (vm->uuid)
      && report (v, "uuid-invalid", FINDING_CRITICAL, -1, -1,
                 "the source's UUID is not in 8-4-4-4-12 hexadecimal form: "
                 "libvirt refuses it; correct uuid.bios at the source "
                 "(or read the VM again)") == -1)
    return -1;

  if (vm->vcpus == 0
      && report (v, "vcpus-invalid", FINDING_CRITICAL, -1, -1,
                 "the source records no vCPU count (0): the domain cannot "
                 "be defined; check the VM's configuration at the source "
                 "(numvcpus)") == -1)
    return -1;
  if (vm->memory_mib == 0
      && report (v, "memory-invalid", FINDING_CRITICAL, -1, -1,
                 "the source records no memory size (0 MiB): the domain "
                 "cannot be defined; set the VM's memory at the source "
                 "(memSize)") == -1)
    return -1;

  if (vm->firmware == VM_FIRMWARE_UNKNOWN) {
    if (report (v, "firmware-unsupported", FINDING_WARNING, -1, -1,
                "the firmware is unknown (neither BIOS nor UEFI): the VM "
                "will be defined with BIOS, and a guest installed for UEFI "
                "will not boot; check the firmware setting at the source")
        == -1)
      return -1;
  }
  else if (vm->secure_boot && vm->firmware == VM_FIRMWARE_BIOS) {
    if (report (v, "firmware-unsupported", FINDING_WARNING, -1, -1,
                "secure boot is enabled but the VM boots with BIOS, which "
                "has no secure boot: it is ignored, as on the source; check "
                "that the guest really boots with BIOS") == -1)
      return -1;
  }
  else if (!vm_xml_secure_boot_fits (vm, NULL)) {
    if (report (v, "firmware-unsupported", FINDING_CRITICAL, -1, -1,
                "UEFI secure boot needs the q35 machine (SMM), but guest OS "
                "'%s' needs i440fx (no AHCI driver): the domain cannot be "
                "defined; disable secure boot at the source",
                vm->guest_os) == -1)
      return -1;
  }

  if (vm->os_family == VM_OS_UNKNOWN) {
    if (vm->guest_os == NULL || vm->guest_os[0] == '\0') {
      if (report (v, "guest-os-unknown", FINDING_WARNING, -1, -1,
                  "the guest OS is not recorded: guest adaptation (VirtIO "
                  "drivers, removing VMware Tools, NIC renaming) cannot be "
                  "planned; set the guest OS type at the source") == -1)
        return -1;
    }
    else if (report (v, "guest-os-unknown", FINDING_WARNING, -1, -1,
                     "guest OS '%s' is not one ferry recognises: guest "
                     "adaptation (VirtIO drivers, removing VMware Tools, NIC "
                     "renaming) cannot be planned; correct the guest OS type "
                     "at the source", vm->guest_os) == -1)
      return -1;
  }
  else if (vm->os_family == VM_OS_OTHER
           && report (v, "guest-os-unsupported", FINDING_WARNING, -1, -1,
                      "guest OS '%s' is neither Linux nor Windows: ferry "
                      "copies it but cannot adapt it, so it boots on KVM "
                      "only with drivers for the target's devices (VirtIO, "
                      "or compat mode's SATA and e1000e); test-boot it "
                      "first", vm->guest_os ? vm->guest_os : "(none)") == -1)
    return -1;

  /* Guest adaptation does not exist yet (migrate.c records it skipped):
   * nothing puts the VirtIO drivers into a Windows boot path, so Windows
   * stops at boot (INACCESSIBLE_BOOT_DEVICE) unless its drivers were
   * installed at the source, which ferry cannot see. */
  if (vm->os_family == VM_OS_WINDOWS && !v->ctx->compat
      && report (v, "windows-virtio", FINDING_CRITICAL, -1, -1,
                 "Windows guest '%s' would get VirtIO disks and NICs, but "
                 "ferry cannot install the VirtIO drivers yet (guest "
                 "adaptation is not implemented), so it would not find its "
                 "boot disk; migrate with --compat (SATA disks, e1000e "
                 "NICs) and switch to VirtIO once the drivers are "
                 "installed", vm->guest_os ? vm->guest_os : "(none)") == -1)
    return -1;

  if (vm->disks.len == 0
      && report (v, "no-disks", FINDING_WARNING, -1, -1,
                 "the VM has no disks: only its configuration is migrated; "
                 "check that this is intended (a diskless or network-booted "
                 "VM)") == -1)
    return -1;
  return 0;
}

/* ---- disks ---- */

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);

  return n >= m && strcasecmp (s + n - m, suffix) == 0;
}

/* The image format a file name promises, or NULL.  Used only to notice a
 * file that names a format but whose content is not that format: content
 * probing then falls back to raw, and copying it would copy garbage.  A
 * VMware "-flat.vmdk" is raw data by design. */
static const char *
format_by_name (const char *path)
{
  if (has_suffix (path, "-flat.vmdk"))
    return NULL;
  if (has_suffix (path, ".vmdk"))
    return "vmdk";
  if (has_suffix (path, ".vhdx") || has_suffix (path, ".avhdx"))
    return "vhdx";
  if (has_suffix (path, ".vhd") || has_suffix (path, ".avhd"))
    return "vhd";
  if (has_suffix (path, ".qcow2"))
    return "qcow2";
  return NULL;
}

/* Open disk i's chain into v->chains[i], or report why it cannot be. */
static int
open_chain (struct validation *v, size_t i, const char *label)
{
  const struct vm_disk *d = &v->vm->disks.ptr[i];
  struct disk *chain;
  const char *want;

  if (d->path == NULL || d->path[0] == '\0')
    return report (v, "disk-chain-broken", FINDING_CRITICAL, (int) i, -1,
                   "%s: the source records no image file for it; check the "
                   "VM's configuration at the source", label);

  chain = source_disk_open (d);
  if (chain == NULL) {
    char reason[ERROR_MESSAGE_MAX];

    snprintf (reason, sizeof reason, "%s", error_message ());
    error_clear ();
    return report (v, "disk-chain-broken", FINDING_CRITICAL, (int) i, -1,
                   "%s: its image chain cannot be opened: %s; restore the "
                   "missing or damaged file (or consolidate the snapshots) "
                   "before migrating", label, reason);
  }
  want = format_by_name (d->path);
  if (want && strcmp (chain->driver->name, "raw") == 0) {
    disk_close (chain);
    return report (v, "disk-chain-broken", FINDING_CRITICAL, (int) i, -1,
                   "%s: %s is named like a %s image but its content is not "
                   "one ferry recognises (it would be copied as raw data); "
                   "check the file", label, d->path, want);
  }
  v->chains[i] = chain;
  return 0;
}

static int
check_capacity (struct validation *v, size_t i, const char *label)
{
  const struct vm_disk *d = &v->vm->disks.ptr[i];
  uint64_t size = v->chains[i]->size;

  if (size == 0)
    return report (v, "disk-capacity-invalid", FINDING_CRITICAL, (int) i,
                   -1, "%s: the image chain's size is 0 bytes: an empty disk "
                   "cannot be migrated; check the image or remove the disk "
                   "at the source", label);
  if (size % SECTOR != 0)
    return report (v, "disk-capacity-invalid", FINDING_CRITICAL, (int) i,
                   -1, "%s: the image chain's size, %" PRIu64 " bytes, is not "
                   "a multiple of 512: KVM disks are whole sectors; resize "
                   "the image to %" PRIu64 " bytes at the source", label,
                   size, round_up (size, SECTOR));
  /* 0 in the model means "unknown until opened" (vm.h): the chain says. */
  if (d->capacity != 0 && d->capacity != size)
    return report (v, "disk-capacity-invalid", FINDING_CRITICAL, (int) i,
                   -1, "%s: the source records %" PRIu64 " bytes but the "
                   "image chain holds %" PRIu64 ": the VM changed since it "
                   "was read, or its description is wrong; read the VM "
                   "again", label, d->capacity, size);
  return 0;
}

static int
check_disks (struct validation *v)
{
  const struct vm *vm = v->vm;
  const struct mapping *storage = v->ctx->storage;

  for (size_t i = 0; i < vm->disks.len; i++) {
    const struct vm_disk *d = &vm->disks.ptr[i];
    char label[64];
    int di = (int) i;

    disk_label (label, sizeof label, i, d);

    /* The writer's limits on the disk as the migration will write it. */
    switch (vm_xml_disk_check (d, vm_xml_disk_format (d,
                                                      target_format (v)))) {
    case VM_XML_DISK_RDM:
      /* An RDM's data is a LUN, not a file: nothing else about it can be
       * checked, and reporting its unopenable chain would be noise. */
      if (report (v, d->rdm == VM_RDM_PHYSICAL ? "rdm-physical"
                  : "rdm-virtual", FINDING_CRITICAL, di, -1, "%s: %s", label,
                  d->rdm == VM_RDM_PHYSICAL
                  ? "physical-mode RDM (pass-through LUN): the LUN is not in "
                    "the datastore and cannot be copied; present the LUN to "
                    "the KVM host and attach it after migrating, and detach "
                    "it from the VM before"
                  : "virtual-mode RDM: its mapping file only points at a "
                    "LUN, which ferry cannot read; convert it to a virtual "
                    "disk first (Storage vMotion to a VMDK), or present the "
                    "LUN to the KVM host and detach it from the VM") == -1)
        return -1;
      continue;
    case VM_XML_DISK_SHARED_TRANSIENT:
      if (report (v, "disk-shared-transient", FINDING_CRITICAL, di, -1,
                  "%s: shared with other VMs and independent-nonpersistent: "
                  "a discarded overlay cannot be shared, so the domain cannot "
                  "be defined; make the disk persistent at the source (or "
                  "stop sharing it)", label) == -1)
        return -1;
      break;
    case VM_XML_DISK_SHARED_NOT_RAW:  /* not with vm_xml_disk_format's */
    case VM_XML_DISK_OK:
      break;
    }

    if (open_chain (v, i, label) == -1)
      return -1;
    if (v->chains[i] && check_capacity (v, i, label) == -1)
      return -1;

    /* Only a warm migration copies from snapshots, with the VM running. */
    if (d->mode == VM_DISK_INDEPENDENT_PERSISTENT
        && (v->ctx->warm
            ? report (v, "disk-independent", FINDING_WARNING, di, -1,
                      "%s: independent-persistent: left out of snapshots, "
                      "so a warm migration cannot copy it from a snapshot "
                      "while the VM runs; migrate the VM cold, or make the "
                      "disk dependent at the source", label)
            : report (v, "disk-independent", FINDING_INFO, di, -1,
                      "%s: independent-persistent: left out of snapshots: no "
                      "matter for a cold migration; a warm migration would "
                      "need it dependent", label)) == -1)
      return -1;
    if (d->mode == VM_DISK_INDEPENDENT_NONPERSISTENT
        && report (v, "disk-independent", FINDING_WARNING, di, -1,
                   "%s: independent-nonpersistent: changes since power-on "
                   "are discarded at power-off; ferry copies the base disk "
                   "and defines it transient on KVM too (changes discarded "
                   "at power-off); make it persistent at the source if the "
                   "changes matter", label) == -1)
      return -1;
    if (d->shared
        && report (v, "disk-shared", FINDING_WARNING, di, -1,
                   "%s: shared with other VMs (multi-writer): migrate it "
                   "together with every VM that uses it, all powered off; "
                   "its image stays raw (qcow2 cannot have several "
                   "writers)", label) == -1)
      return -1;

    if (storage && mapping_lookup (storage, d->datastore) == NULL
        && report (v, "storage-unmapped", FINDING_CRITICAL, di, -1,
                   "%s on datastore '%s': the storage mapping has no entry "
                   "for it and no default; add --map-storage '%s=POOL' (or "
                   "'*=POOL')", label, d->datastore ? d->datastore : "(none)",
                   d->datastore ? d->datastore : "DATASTORE") == -1)
      return -1;
  }
  return 0;
}

/* ---- snapshots and changed block tracking ---- */

static int
check_snapshots (struct validation *v)
{
  const struct vm *vm = v->vm;

  if (vm->snapshots.len > 0)
    return report (v, "snapshots-present", FINDING_WARNING, -1, -1,
                   "the VM has %zu snapshot(s) and runs on delta disks: "
                   "ferry copies the current state through the chain, the "
                   "snapshots themselves are not migrated; consider deleting "
                   "(consolidating) them first, which also makes the copy "
                   "faster", vm->snapshots.len);

  /* No snapshot listed (no .vmsd, a Hyper-V checkpoint, a qcow2 overlay),
   * yet a disk runs on a delta: the same advice, once. */
  for (size_t i = 0; i < vm->disks.len; i++) {
    unsigned layers = 1;
    char label[64];

    if (v->chains[i] == NULL || v->chains[i]->backing == NULL)
      continue;
    for (struct disk *l = v->chains[i]; l->backing; l = l->backing)
      layers++;
    return report (v, "snapshots-present", FINDING_WARNING, (int) i, -1,
                   "%s runs on a chain of %u layers (snapshot deltas) though "
                   "no snapshot is listed: ferry copies the current state "
                   "through the chain; consider consolidating it first",
                   disk_label (label, sizeof label, i, &vm->disks.ptr[i]),
                   layers);
  }
  return 0;
}

static int
check_cbt (struct validation *v)
{
  if (v->vm->cbt)
    return 0;
  if (v->ctx->warm)
    return report (v, "cbt-disabled", FINDING_WARNING, -1, -1,
                   "changed block tracking (CBT) is off: a warm migration "
                   "needs it to find the blocks changed between syncs; "
                   "enable it at the source (ctkEnabled, effective after a "
                   "snapshot or power cycle), or migrate cold");
  return report (v, "cbt-disabled", FINDING_INFO, -1, -1,
                 "changed block tracking (CBT) is off: no matter for a cold "
                 "migration; a warm migration would need it enabled");
}

/* ---- NICs ---- */

static int
check_nics (struct validation *v)
{
  const struct vm *vm = v->vm;
  const struct mapping *networks = v->ctx->networks;

  for (size_t i = 0; i < vm->nics.len; i++) {
    const struct vm_nic *n = &vm->nics.ptr[i];
    const char *net = nic_network (n);
    int ni = (int) i;

    if (n->sriov) {
      if (report (v, "sriov-nic", FINDING_CRITICAL, -1, ni,
                  "NIC %zu on network '%s' is an SR-IOV virtual function of "
                  "the source host's adapter and cannot be moved; replace it "
                  "with a vmxnet3 NIC at the source (on KVM, attach a VF of "
                  "the host's adapter after migrating)", i, net) == -1)
        return -1;
      /* Its network still has to be mapped once it is replaced. */
    }
    if (n->mac && !vm_xml_mac_is_valid (n->mac)
        && report (v, "nic-mac-invalid", FINDING_CRITICAL, -1, ni,
                   "NIC %zu on network '%s': MAC address '%s' is not a "
                   "unicast address (xx:xx:xx:xx:xx:xx, low bit of the first "
                   "octet clear), which libvirt refuses; correct it at the "
                   "source", i, net, n->mac) == -1)
      return -1;
    if (networks == NULL) {
      if (report (v, "network-unmapped", FINDING_INFO, -1, ni,
                  "NIC %zu on network '%s': no network mapping given yet; "
                  "the migration plan must map it (--map-network "
                  "'%s=NETWORK' or '*=NETWORK')", i, net,
                  n->network ? n->network : "SOURCE") == -1)
        return -1;
    }
    else if (mapping_lookup (networks, n->network) == NULL
             && report (v, "network-unmapped", FINDING_CRITICAL, -1, ni,
                        "NIC %zu on network '%s': the network mapping has no "
                        "entry for it and no default; add --map-network "
                        "'%s=NETWORK' (or '*=NETWORK')", i, net,
                        n->network ? n->network : "SOURCE") == -1)
      return -1;
  }
  return 0;
}

/* ---- other devices and settings ---- */

static int
check_devices (struct validation *v)
{
  const struct vm *vm = v->vm;
  enum vm_xml_compat compat = v->ctx->compat ? VM_XML_COMPAT : VM_XML_VIRTIO;
  size_t ide = vm_xml_ide_devices (vm, NULL, compat);

  if (ide > VM_XML_IDE_MAX_DEVICES
      && report (v, "ide-devices-exceeded", FINDING_CRITICAL, -1, -1,
                 "guest OS '%s' needs the i440fx machine, whose IDE "
                 "controller has room for %d devices, but %zu are needed "
                 "(%s): the domain cannot be defined; remove CD-ROM drives "
                 "at the source%s", vm->guest_os ? vm->guest_os : "(none)",
                 VM_XML_IDE_MAX_DEVICES, ide,
                 v->ctx->compat ? "CD-ROMs, and the disks in compat mode"
                 : "CD-ROMs", v->ctx->compat ? ", or leave out --compat "
                 "if the guest has VirtIO drivers" : "") == -1)
    return -1;

  for (size_t i = 0; i < vm->passthrough.len; i++)
    if (report (v, "passthrough-device", FINDING_CRITICAL, -1, -1,
                "PCI passthrough device %s is hardware of the source host "
                "and cannot be moved; remove it from the VM at the source "
                "before migrating (assign a device of the KVM host "
                "afterwards if needed)",
                vm->passthrough.ptr[i] ? vm->passthrough.ptr[i] : "(unnamed)")
        == -1)
      return -1;

  if (vm->tpm
      && report (v, "tpm-present", FINDING_WARNING, -1, -1,
                 "the VM has a virtual TPM whose contents are not migrated "
                 "(keys sealed to it: BitLocker, TPM-unlocked LUKS, measured "
                 "boot); a new, empty emulated TPM is created: have the "
                 "recovery keys at hand, or suspend BitLocker before "
                 "cutover") == -1)
    return -1;
  if (vm->usb
      && report (v, "usb-controller", FINDING_INFO, -1, -1,
                 "the USB controller becomes a qemu-xhci controller with a "
                 "tablet; USB devices attached from the source host or a "
                 "client are not migrated") == -1)
    return -1;
  if (vm->cpu_hot_add
      && report (v, "cpu-hotplug", FINDING_INFO, -1, -1,
                 "CPU hot-add is enabled at the source; the KVM domain gets "
                 "a fixed vCPU count (change it with the VM off, or set a "
                 "maximum with virsh setvcpus --maximum)") == -1)
    return -1;
  if (vm->memory_hot_add
      && report (v, "memory-hotplug", FINDING_INFO, -1, -1,
                 "memory hot-add is enabled at the source; the KVM domain "
                 "gets a fixed memory size (change it with the VM off)")
      == -1)
    return -1;
  if (vm->cpu_affinity
      && report (v, "cpu-affinity", FINDING_WARNING, -1, -1,
                 "the VM is pinned to host CPUs '%s' at the source; pinning "
                 "is not carried over (the hosts differ): set it on the KVM "
                 "host (virsh vcpupin) if it is needed", vm->cpu_affinity)
      == -1)
    return -1;
  return 0;
}

/* ---- target space ---- */

static uint64_t
sat_add (uint64_t a, uint64_t b)
{
  uint64_t r;

  return checked_add (a, b, &r) ? UINT64_MAX : r;
}

/* Bytes the data of a chain takes in a target image allocated in units of
 * `unit`: every extent that reads as data from some layer, widened to
 * whole units, each unit counted once.  Zero and unallocated ranges are
 * holes in the target (the mover never writes them).  Returns 0, or -1
 * with the error set when the chain's metadata cannot be read. */
static int
chain_data_bytes (struct disk *chain, uint64_t unit, uint64_t *out)
{
  uint64_t offset = 0, counted_end = 0, total = 0;

  while (offset < chain->size) {
    struct extent e;

    if (disk_block_status (chain, offset, chain->size - offset, &e) == -1)
      return -1;
    if (e.type == EXTENT_DATA) {
      uint64_t start = round_down (e.offset, unit);
      uint64_t end = e.offset + e.length;

      end = end > UINT64_MAX - unit ? UINT64_MAX : round_up (end, unit);
      if (start < counted_end)
        start = counted_end;
      if (end > start) {
        total = sat_add (total, end - start);
        counted_end = end;
      }
    }
    offset = e.offset + e.length;
  }
  *out = total;
  return 0;
}

/* qcow2 metadata on top of the data: one 64 KiB L2 table per 512 MiB of
 * guest space, one refcount block per 2 GiB of file, and a few clusters
 * for the header, L1 and refcount tables.  An upper bound, not exact. */
static uint64_t
qcow2_overhead (uint64_t capacity, uint64_t data)
{
  uint64_t l2 = capacity / (UINT64_C (512) << 20) + 1;
  uint64_t refcount = data / (UINT64_C (2) << 30) + 1;

  return (l2 + refcount + 4) * QCOW2_CLUSTER;
}

static int
check_space (struct validation *v)
{
  const struct vm *vm = v->vm;
  const char *format = target_format (v);
  bool qcow2 = strcmp (format, "qcow2") == 0;
  uint64_t needed = 0, full = 0, free_bytes;
  size_t counted = 0, skipped = 0;
  bool any_raw = false;
  char need_s[32], full_s[32], free_s[32], skip_s[64] = "";

  if (v->ctx->target_free_bytes < 0)
    return 0;
  free_bytes = (uint64_t) v->ctx->target_free_bytes;

  for (size_t i = 0; i < vm->disks.len; i++) {
    const struct vm_disk *d = &vm->disks.ptr[i];
    struct disk *chain = v->chains[i];
    bool raw = strcmp (vm_xml_disk_format (d, format), "raw") == 0;
    uint64_t data;

    if (chain == NULL || chain->size == 0) {
      skipped++;
      continue;
    }
    if (chain_data_bytes (chain, raw ? RAW_BLOCK : QCOW2_CLUSTER,
                          &data) == -1) {
      char reason[ERROR_MESSAGE_MAX], label[64];

      snprintf (reason, sizeof reason, "%s", error_message ());
      error_clear ();
      skipped++;
      if (report (v, "disk-chain-broken", FINDING_CRITICAL, (int) i, -1,
                  "%s: its allocation map cannot be read: %s; repair the "
                  "image before migrating",
                  disk_label (label, sizeof label, i, d), reason) == -1)
        return -1;
      continue;
    }
    counted++;
    if (raw) {
      any_raw = true;
      needed = sat_add (needed, data);
      full = sat_add (full, round_up (chain->size, RAW_BLOCK));
    }
    else {
      uint64_t q = sat_add (data, qcow2_overhead (chain->size, data));
      needed = sat_add (needed, q);
      full = sat_add (full, q);
    }
  }
  if (counted == 0)
    return 0;

  bytes_text (needed, need_s, sizeof need_s);
  bytes_text (full, full_s, sizeof full_s);
  bytes_text (free_bytes, free_s, sizeof free_s);
  if (skipped)
    snprintf (skip_s, sizeof skip_s, "; %zu disk(s) not counted, see their "
              "findings", skipped);

  if (needed > free_bytes)
    return report (v, "target-space", FINDING_CRITICAL, -1, -1,
                   "the disks need about %s (%" PRIu64 " bytes) on the "
                   "target as %s%s, but only %s is free; free space on the "
                   "target or choose another pool%s", need_s, needed, format,
                   qcow2 && any_raw ? " (shared disks raw)" : "", free_s,
                   skip_s);
  if (any_raw && full > free_bytes)
    return report (v, "target-space", FINDING_WARNING, -1, -1,
                   "the disks hold about %s of data but are %s as fully "
                   "allocated raw files, and %s is free: this fits only if "
                   "the target file system keeps holes (ext4, XFS and btrfs "
                   "do; some NFS servers do not)%s", need_s, full_s, free_s,
                   skip_s);
  return 0;
}

/* ---- entry points ---- */

int
validate_vm (const struct vm *vm, const struct validate_context *ctx,
             finding_vector *out)
{
  static const struct validate_context defaults = VALIDATE_CONTEXT_INIT;
  struct validation v = { .vm = vm, .ctx = ctx ? ctx : &defaults,
                          .out = out };
  int r = -1;

  if (v.ctx->target_format && strcmp (v.ctx->target_format, "qcow2") != 0
      && strcmp (v.ctx->target_format, "raw") != 0) {
    error_set ("validate: %s: target format '%s' is not supported (qcow2 "
               "or raw)", vm->name ? vm->name : "(unnamed)",
               v.ctx->target_format);
    return -1;
  }
  v.chains = calloc (vm->disks.len + 1, sizeof *v.chains);
  if (v.chains == NULL) {
    error_set_errno (ENOMEM, "validate: %s",
                     vm->name ? vm->name : "(unnamed)");
    return -1;
  }

  if (check_machine (&v) == -1 || check_disks (&v) == -1
      || check_snapshots (&v) == -1 || check_cbt (&v) == -1
      || check_nics (&v) == -1 || check_devices (&v) == -1
      || check_space (&v) == -1)
    goto out;
  r = 0;

 out:
  for (size_t i = 0; i < vm->disks.len; i++)
    if (v.chains[i])
      disk_close (v.chains[i]);
  free (v.chains);
  return r;
}

bool
validate_blocks (const finding_vector *findings)
{
  return validate_count (findings, FINDING_CRITICAL) > 0;
}

size_t
validate_count (const finding_vector *findings,
                enum finding_severity severity)
{
  size_t n = 0;

  for (size_t i = 0; i < findings->len; i++)
    n += findings->ptr[i].severity == severity;
  return n;
}

void
validate_findings_free (finding_vector *findings)
{
  for (size_t i = 0; i < findings->len; i++)
    free (findings->ptr[i].message);
  finding_vector_reset (findings);
}

/* A JSON string of s.  jansson refuses invalid UTF-8; a model from a
 * careless source may hold some, so such bytes become '?' rather than
 * losing the whole report. */
static json_t *
json_string_lossy (const char *s)
{
  json_t *j = json_string (s);
  char *copy;

  if (j || s == NULL)
    return j;
  copy = strdup (s);
  if (copy == NULL)
    return NULL;
  for (char *p = copy; *p; p++)
    if ((unsigned char) *p >= 0x80)
      *p = '?';
  j = json_string (copy);
  free (copy);
  return j;
}

static json_t *
json_index (int i)
{
  return i >= 0 ? json_integer (i) : json_null ();
}

json_t *
validate_findings_json (const char *vm_name, const finding_vector *findings)
{
  json_t *obj = json_object (), *list = json_array ();

  if (obj == NULL || list == NULL)
    goto nomem;
  if (json_set_new (obj, "vm", vm_name ? json_string_lossy (vm_name)
                    : json_null ()) == -1
      || json_set_bool (obj, "blocked", validate_blocks (findings)) == -1
      || json_set_u64 (obj, "critical",
                       validate_count (findings, FINDING_CRITICAL)) == -1
      || json_set_u64 (obj, "warning",
                       validate_count (findings, FINDING_WARNING)) == -1
      || json_set_u64 (obj, "info",
                       validate_count (findings, FINDING_INFO)) == -1)
    goto fail;
  for (size_t i = 0; i < findings->len; i++) {
    const struct finding *f = &findings->ptr[i];
    json_t *item = json_object ();

    if (item == NULL || json_array_append_new (list, item) == -1)
      goto nomem;
    if (json_set_string (item, "rule", f->rule) == -1
        || json_set_string (item, "severity",
                            validate_severity_name (f->severity)) == -1
        || json_set_new (item, "message",
                         json_string_lossy (f->message)) == -1
        || json_set_new (item, "disk", json_index (f->disk)) == -1
        || json_set_new (item, "nic", json_index (f->nic)) == -1)
      goto fail;
  }
  if (json_set_new (obj, "findings", list) == -1) {
    list = NULL;                /* json_set_new consumed it */
    goto fail;
  }
  return obj;

 nomem:
  error_set_errno (ENOMEM, "validate: JSON");
 fail:
  json_decref (list);
  json_decref (obj);
  return NULL;
}

void
validate_print (FILE *fp, const char *vm_name, const finding_vector *findings)
{
  static const char *const labels[] = {
    [FINDING_INFO] = "INFO", [FINDING_WARNING] = "WARNING",
    [FINDING_CRITICAL] = "CRITICAL",
  };
  int width = 0;

  for (const struct validate_rule *r = validate_rules; r->id; r++)
    if ((int) strlen (r->id) > width)
      width = (int) strlen (r->id);

  if (findings->len == 0) {
    fprintf (fp, "%s%sno findings\n", vm_name ? vm_name : "",
             vm_name ? ": " : "");
    return;
  }
  for (int s = FINDING_CRITICAL; s >= FINDING_INFO; s--)
    for (size_t i = 0; i < findings->len; i++) {
      const struct finding *f = &findings->ptr[i];

      if ((int) f->severity != s)
        continue;
      fprintf (fp, "%s%s%-8s  %-*s  %s\n", vm_name ? vm_name : "",
               vm_name ? ": " : "", labels[s], width, f->rule, f->message);
    }
}
