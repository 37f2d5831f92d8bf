/* vm_xml.c: the libvirt domain XML writer; see vm_xml.h.
 *
 * Two passes.  check_*() look at the whole model and the options first and
 * refuse, with a message naming the device, anything the writer cannot
 * express (RDM, SR-IOV, passthrough, unmapped networks, strings that are
 * not valid XML text).  The limits that depend on the model alone are the
 * public vm_xml_*() predicates at the end of this file, which the
 * pre-flight rules call too: check_*() only turn their answers into
 * messages.  Only then does write_*() emit the document through
 * libxml2's xmlTextWriter, which does all escaping; its failures (out of
 * memory) are sticky in struct writer and checked once at the end, so the
 * emitting code reads like the XML it produces.
 *
 * It must never guess a fact about the source (unknowns are refused or get
 * the documented default), never read or write host files, and never print.
 * The rules are explained in docs/libvirt-xml.md.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

#include "util/error.h"
#include "util/log.h"
#include "vm/vm_xml.h"

/* What the writer decided before emitting anything. */
struct plan {
  const struct vm *vm;
  const struct vm_xml_options *opts;
  const char *name;             /* domain name */
  const char *machine;
  bool q35;                     /* false = i440fx ("pc") */
  bool kvm;                     /* false = TCG */
  bool compat;
  bool windows;
  bool uefi;
  bool secure_boot;
  unsigned sockets, cores;
  const char **networks;        /* mapped network of each NIC */
  const char **cdroms;          /* host ISO of each CD-ROM, or NULL */
};

struct writer {
  xmlTextWriterPtr w;
  bool failed;                  /* some libxml2 call failed */
};

/* ---- checks ------------------------------------------------------------ */

/* s must be UTF-8 without control characters: XML 1.0 cannot carry most of
 * them at all, and none belongs in a name, path or MAC.  The first control
 * character goes to *bad. */
static const char *
text_problem (const char *s, unsigned char *bad)
{
  if (!xmlCheckUTF8 ((const xmlChar *) s))
    return "is not valid UTF-8";
  for (const unsigned char *c = (const unsigned char *) s; *c; c++)
    if (*c < 0x20 || *c == 0x7f) {
      *bad = *c;
      return "contains a control character";
    }
  return NULL;
}

static int
check_text (const struct plan *p, const char *what, const char *s)
{
  unsigned char bad = 0;
  const char *why = text_problem (s, &bad);

  if (why == NULL)
    return 0;
  if (bad)
    error_set ("vm_xml: %s: %s %s (0x%02x)", p->name, what, why, bad);
  else
    error_set ("vm_xml: %s: %s %s", p->name, what, why);
  return -1;
}

/* libvirt wants absolute paths everywhere we write one. */
static int
check_path (const struct plan *p, const char *what, const char *path)
{
  if (path == NULL || path[0] != '/') {
    error_set ("vm_xml: %s: %s '%s' is not an absolute path",
               p->name, what, path ? path : "(none)");
    return -1;
  }
  return check_text (p, what, path);
}

/* "disk 2 (scsi0:1)" for messages. */
static const char *
disk_label (char *buf, size_t len, size_t i, enum vm_bus bus,
            unsigned controller, unsigned unit)
{
  snprintf (buf, len, "disk %zu (%s%u:%u)", i, vm_bus_name (bus),
            controller, unit);
  return buf;
}

static int
check_domain (struct plan *p)
{
  const struct vm *vm = p->vm;
  const struct vm_xml_options *o = p->opts;
  const char *why = vm_xml_name_problem (p->name);

  if (why) {
    error_set ("vm_xml: %s: the domain name %s",
               p->name && p->name[0] ? p->name : "(none)", why);
    return -1;
  }
  if (vm->uuid && !vm_xml_uuid_is_valid (vm->uuid)) {
    error_set ("vm_xml: %s: UUID '%s' is not in 8-4-4-4-12 form",
               p->name, vm->uuid);
    return -1;
  }
  if (vm->memory_mib == 0) {
    error_set ("vm_xml: %s: the memory size is unknown", p->name);
    return -1;
  }
  if (vm->vcpus == 0) {
    error_set ("vm_xml: %s: the number of vCPUs is unknown", p->name);
    return -1;
  }

  if (o->domain_type == NULL || strcmp (o->domain_type, "kvm") == 0)
    p->kvm = true;
  else if (strcmp (o->domain_type, "qemu") == 0)
    p->kvm = false;
  else {
    error_set ("vm_xml: %s: domain type '%s' is not supported "
               "(use 'kvm' or 'qemu')", p->name, o->domain_type);
    return -1;
  }

  p->machine = o->machine ? o->machine : vm_xml_machine_for (vm);
  if (check_text (p, "the machine type", p->machine) == -1)
    return -1;
  p->q35 = vm_xml_machine_is_q35 (p->machine);
  p->compat = o->compat == VM_XML_COMPAT;
  p->windows = vm->os_family == VM_OS_WINDOWS;

  if (vm->firmware == VM_FIRMWARE_UNKNOWN)
    log_debug ("vm_xml: %s: firmware unknown, booting with BIOS", p->name);
  p->uefi = vm->firmware == VM_FIRMWARE_UEFI;
  p->secure_boot = p->uefi && vm->secure_boot;
  if (vm->secure_boot && !p->uefi)
    log_debug ("vm_xml: %s: secure boot ignored: the VM boots with %s",
               p->name, vm_firmware_name (vm->firmware));
  if (!vm_xml_secure_boot_fits (vm, p->machine)) {
    error_set ("vm_xml: %s: secure boot needs SMM, which OVMF supports "
               "only on q35, not on machine '%s'", p->name, p->machine);
    return -1;
  }
  if (p->uefi) {
    const char *code = o->ovmf_code ? o->ovmf_code
      : p->secure_boot ? VM_XML_OVMF_CODE_SECBOOT : VM_XML_OVMF_CODE;
    const char *vars = o->ovmf_vars ? o->ovmf_vars
      : p->secure_boot ? VM_XML_OVMF_VARS_SECBOOT : VM_XML_OVMF_VARS;
    if (check_path (p, "the OVMF code file", code) == -1
        || check_path (p, "the OVMF variables template", vars) == -1)
      return -1;
  }
  if (o->emulator && check_path (p, "the emulator", o->emulator) == -1)
    return -1;

  /* Topology: sockets of cores_per_socket cores, when that divides. */
  p->cores = vm->cores_per_socket ? vm->cores_per_socket : 1;
  if (vm->vcpus % p->cores != 0) {
    log_debug ("vm_xml: %s: %u vCPUs do not divide into sockets of %u cores;"
               " using one core per socket", p->name, vm->vcpus, p->cores);
    p->cores = 1;
  }
  p->sockets = vm->vcpus / p->cores;

  if (vm->passthrough.len > 0) {
    error_set ("vm_xml: %s: the VM has %zu PCI passthrough device(s) "
               "(first: %s); host devices cannot be moved to another host",
               p->name, vm->passthrough.len,
               vm->passthrough.ptr[0] ? vm->passthrough.ptr[0] : "?");
    return -1;
  }
  return 0;
}

static bool
format_supported (const char *format)
{
  return format && (strcmp (format, "qcow2") == 0
                    || strcmp (format, "raw") == 0);
}

/* The target images' formats are the caller's; only what the model
 * allows of them is a limit. */
static int
check_disks (struct plan *p)
{
  const struct vm *vm = p->vm;
  const struct vm_xml_options *o = p->opts;
  char label[64], what[96];

  if (vm->disks.len > 0 && o->disks == NULL) {
    error_set ("vm_xml: %s: no target images given for the %zu disk(s)",
               p->name, vm->disks.len);
    return -1;
  }
  for (size_t i = 0; i < vm->disks.len; i++) {
    const struct vm_disk *d = &vm->disks.ptr[i];
    const struct vm_xml_disk *t = &o->disks[i];

    disk_label (label, sizeof label, i, d->bus, d->controller, d->unit);
    if (d->rdm == VM_RDM_NONE) {
      snprintf (what, sizeof what, "the image of %s", label);
      if (check_path (p, what, t->path) == -1)
        return -1;
      if (!format_supported (t->format)) {
        error_set ("vm_xml: %s: %s: image format '%s' is not supported "
                   "(qcow2 or raw)", p->name, label,
                   t->format ? t->format : "(none)");
        return -1;
      }
    }
    switch (vm_xml_disk_check (d, t->format)) {
    case VM_XML_DISK_OK:
      break;
    case VM_XML_DISK_RDM:
      error_set ("vm_xml: %s: %s is a raw device mapping (%s mode); "
                 "RDM disks cannot be migrated, copy the LUN to a virtual "
                 "disk first", p->name, label,
                 d->rdm == VM_RDM_PHYSICAL ? "physical" : "virtual");
      return -1;
    case VM_XML_DISK_SHARED_NOT_RAW:
      error_set ("vm_xml: %s: %s is shared between VMs, so its image must "
                 "be raw: qcow2 cannot have several writers", p->name, label);
      return -1;
    case VM_XML_DISK_SHARED_TRANSIENT:
      error_set ("vm_xml: %s: %s is both shared and nonpersistent; "
                 "a discarded overlay cannot be shared", p->name, label);
      return -1;
    }
  }

  size_t ide = vm_xml_ide_devices (vm, p->machine, o->compat);
  if (ide > VM_XML_IDE_MAX_DEVICES) {
    error_set ("vm_xml: %s: machine '%s' has room for %d IDE devices, "
               "but %zu are needed%s", p->name, p->machine,
               VM_XML_IDE_MAX_DEVICES, ide,
               p->compat ? " (disks and CD-ROMs)" : " (CD-ROMs)");
    return -1;
  }

  p->cdroms = calloc (vm->cdroms.len + 1, sizeof *p->cdroms);
  if (p->cdroms == NULL) {
    error_set_errno (ENOMEM, "vm_xml: %s", p->name);
    return -1;
  }
  for (size_t i = 0; i < vm->cdroms.len; i++) {
    const struct vm_cdrom *c = &vm->cdroms.ptr[i];
    const char *iso = o->cdroms ? o->cdroms[i] : c->path;

    if (iso == NULL)
      continue;
    snprintf (what, sizeof what, "the ISO of CD-ROM %zu (%s%u:%u)", i,
              vm_bus_name (c->bus), c->controller, c->unit);
    if (check_path (p, what, iso) == -1)
      return -1;
    p->cdroms[i] = iso;
  }
  return 0;
}

static int
check_nics (struct plan *p)
{
  const struct vm *vm = p->vm;
  const struct vm_xml_options *o = p->opts;

  p->networks = calloc (vm->nics.len + 1, sizeof *p->networks);
  if (p->networks == NULL) {
    error_set_errno (ENOMEM, "vm_xml: %s", p->name);
    return -1;
  }
  for (size_t i = 0; i < vm->nics.len; i++) {
    const struct vm_nic *n = &vm->nics.ptr[i];
    const char *source = n->network ? n->network : "(none)";
    char what[64];

    if (n->sriov) {
      error_set ("vm_xml: %s: NIC %zu on network '%s' is an SR-IOV "
                 "virtual function, which cannot be moved to another host",
                 p->name, i, source);
      return -1;
    }
    if (n->mac && !vm_xml_mac_is_valid (n->mac)) {
      error_set ("vm_xml: %s: NIC %zu: '%s' is not a unicast MAC address",
                 p->name, i, n->mac);
      return -1;
    }
    const char *target = o->map_network
      ? o->map_network (n->network, o->opaque) : NULL;
    if (target == NULL || target[0] == '\0') {
      error_set ("vm_xml: %s: NIC %zu: source network '%s' is not mapped "
                 "to a libvirt network", p->name, i, source);
      return -1;
    }
    snprintf (what, sizeof what, "the libvirt network of NIC %zu", i);
    if (check_text (p, what, target) == -1)
      return -1;
    p->networks[i] = target;
  }
  return 0;
}

/* ---- emitting ---------------------------------------------------------- */

static void
start (struct writer *wr, const char *element)
{
  if (!wr->failed
      && xmlTextWriterStartElement (wr->w, BAD_CAST element) < 0)
    wr->failed = true;
}

static void
end (struct writer *wr)
{
  if (!wr->failed && xmlTextWriterEndElement (wr->w) < 0)
    wr->failed = true;
}

static void
attr (struct writer *wr, const char *name, const char *value)
{
  if (!wr->failed
      && xmlTextWriterWriteAttribute (wr->w, BAD_CAST name,
                                      BAD_CAST value) < 0)
    wr->failed = true;
}

static void
attr_u64 (struct writer *wr, const char *name, uint64_t value)
{
  char buf[32];

  snprintf (buf, sizeof buf, "%" PRIu64, value);
  attr (wr, name, buf);
}

static void
text (struct writer *wr, const char *s)
{
  if (!wr->failed && xmlTextWriterWriteString (wr->w, BAD_CAST s) < 0)
    wr->failed = true;
}

/* <element>text</element> */
static void
element_text (struct writer *wr, const char *element, const char *s)
{
  start (wr, element);
  text (wr, s);
  end (wr);
}

/* <element name='value'/>, the commonest shape in a domain. */
static void
element_attr (struct writer *wr, const char *element, const char *name,
              const char *value)
{
  start (wr, element);
  attr (wr, name, value);
  end (wr);
}

static void
element_empty (struct writer *wr, const char *element)
{
  start (wr, element);
  end (wr);
}

/* libvirt's target names: prefix + a..z, aa..az, ba.. (bijective base 26). */
static void
target_name (char *buf, size_t len, const char *prefix, size_t index)
{
  char letters[16];
  size_t k = 0;

  for (size_t n = index + 1; n > 0 && k < sizeof letters; n /= 26) {
    n--;
    letters[k++] = 'a' + n % 26;
  }
  size_t at = (size_t) snprintf (buf, len, "%s", prefix);
  while (k > 0 && at + 1 < len)
    buf[at++] = letters[--k];
  buf[at] = '\0';
}

static void
text_u64 (struct writer *wr, uint64_t value)
{
  char buf[32];

  snprintf (buf, sizeof buf, "%" PRIu64, value);
  text (wr, buf);
}

static void
write_os (struct writer *wr, const struct plan *p)
{
  const struct vm_xml_options *o = p->opts;

  start (wr, "os");
  start (wr, "type");
  attr (wr, "arch", "x86_64");
  attr (wr, "machine", p->machine);
  text (wr, "hvm");
  end (wr);
  if (p->uefi) {
    start (wr, "loader");
    attr (wr, "readonly", "yes");
    if (p->secure_boot)
      attr (wr, "secure", "yes");
    attr (wr, "type", "pflash");
    text (wr, o->ovmf_code ? o->ovmf_code
          : p->secure_boot ? VM_XML_OVMF_CODE_SECBOOT : VM_XML_OVMF_CODE);
    end (wr);
    /* libvirt copies the template to a per-domain store on first start. */
    element_attr (wr, "nvram", "template", o->ovmf_vars ? o->ovmf_vars
                  : p->secure_boot ? VM_XML_OVMF_VARS_SECBOOT
                  : VM_XML_OVMF_VARS);
  }
  element_attr (wr, "boot", "dev", "hd");
  end (wr);
}

static void
write_features (struct writer *wr, const struct plan *p)
{
  start (wr, "features");
  element_empty (wr, "acpi");
  element_empty (wr, "apic");
  /* Hyper-V enlightenments are a KVM feature; TCG goes without them. */
  if (p->windows && p->kvm) {
    start (wr, "hyperv");
    element_attr (wr, "relaxed", "state", "on");
    element_attr (wr, "vapic", "state", "on");
    start (wr, "spinlocks");
    attr (wr, "state", "on");
    attr (wr, "retries", "8191");
    end (wr);
    end (wr);
  }
  if (p->secure_boot)
    element_attr (wr, "smm", "state", "on");
  end (wr);
}

static void
write_cpu_and_clock (struct writer *wr, const struct plan *p)
{
  start (wr, "cpu");
  /* host-model needs KVM; under TCG libvirt's default CPU model is used. */
  if (p->kvm)
    attr (wr, "mode", "host-model");
  start (wr, "topology");
  attr_u64 (wr, "sockets", p->sockets);
  attr (wr, "dies", "1");
  attr_u64 (wr, "cores", p->cores);
  attr (wr, "threads", "1");
  end (wr);
  end (wr);

  /* Windows keeps its RTC in local time; everyone else in UTC.  The timer
   * policies keep a descheduled guest's clock from drifting. */
  start (wr, "clock");
  attr (wr, "offset", p->windows ? "localtime" : "utc");
  start (wr, "timer");
  attr (wr, "name", "rtc");
  attr (wr, "tickpolicy", "catchup");
  end (wr);
  start (wr, "timer");
  attr (wr, "name", "pit");
  attr (wr, "tickpolicy", "delay");
  end (wr);
  start (wr, "timer");
  attr (wr, "name", "hpet");
  attr (wr, "present", "no");
  end (wr);
  if (p->windows && p->kvm) {
    start (wr, "timer");
    attr (wr, "name", "hypervclock");
    attr (wr, "present", "yes");
    end (wr);
  }
  end (wr);
}

/* Bus and target of the next disk or CD-ROM on an emulated controller. */
static const char *
emulated_bus (const struct plan *p)
{
  return p->q35 ? "sata" : "ide";
}

static void
write_disks (struct writer *wr, const struct plan *p)
{
  const struct vm *vm = p->vm;
  const char *bus = p->compat ? emulated_bus (p) : "virtio";
  const char *prefix = p->compat ? (p->q35 ? "sd" : "hd") : "vd";
  size_t emulated = 0;          /* index among sd / hd targets */
  char dev[32];

  for (size_t i = 0; i < vm->disks.len; i++) {
    const struct vm_disk *d = &vm->disks.ptr[i];
    const struct vm_xml_disk *t = &p->opts->disks[i];

    start (wr, "disk");
    attr (wr, "type", "file");
    attr (wr, "device", "disk");
    if (d->mode == VM_DISK_INDEPENDENT_PERSISTENT)
      attr (wr, "snapshot", "no");
    start (wr, "driver");
    attr (wr, "name", "qemu");
    attr (wr, "type", t->format);
    attr (wr, "cache", "none");
    attr (wr, "discard", "unmap");
    end (wr);
    element_attr (wr, "source", "file", t->path);
    target_name (dev, sizeof dev, prefix, p->compat ? emulated++ : i);
    start (wr, "target");
    attr (wr, "dev", dev);
    attr (wr, "bus", bus);
    end (wr);
    if (d->shared)
      element_empty (wr, "shareable");
    if (d->mode == VM_DISK_INDEPENDENT_NONPERSISTENT)
      element_empty (wr, "transient");
    end (wr);
  }

  /* CD-ROMs go on the emulated controller in both modes, after the disks
   * that share it. */
  for (size_t i = 0; i < vm->cdroms.len; i++) {
    start (wr, "disk");
    attr (wr, "type", "file");
    attr (wr, "device", "cdrom");
    start (wr, "driver");
    attr (wr, "name", "qemu");
    attr (wr, "type", "raw");
    end (wr);
    if (p->cdroms[i])
      element_attr (wr, "source", "file", p->cdroms[i]);
    target_name (dev, sizeof dev, p->q35 ? "sd" : "hd", emulated++);
    start (wr, "target");
    attr (wr, "dev", dev);
    attr (wr, "bus", emulated_bus (p));
    end (wr);
    element_empty (wr, "readonly");
    end (wr);
  }
}

static void
write_controllers_and_nics (struct writer *wr, const struct plan *p)
{
  const struct vm *vm = p->vm;

  /* USB only when the source had it: xHCI on q35, UHCI (which pre-Vista
   * guests drive) on i440fx.  Without it libvirt would add one anyway, so
   * say "none". */
  start (wr, "controller");
  attr (wr, "type", "usb");
  attr (wr, "model", !vm->usb ? "none" : p->q35 ? "qemu-xhci" : "piix3-uhci");
  end (wr);

  for (size_t i = 0; i < vm->nics.len; i++) {
    const struct vm_nic *n = &vm->nics.ptr[i];

    start (wr, "interface");
    attr (wr, "type", "network");
    if (n->mac)
      element_attr (wr, "mac", "address", n->mac);
    element_attr (wr, "source", "network", p->networks[i]);
    element_attr (wr, "model", "type",
                  !p->compat ? "virtio" : p->q35 ? "e1000e" : "rtl8139");
    if (!n->connected)
      element_attr (wr, "link", "state", "down");
    end (wr);
  }
}

static void
write_other_devices (struct writer *wr, const struct plan *p)
{
  const struct vm *vm = p->vm;

  start (wr, "serial");
  attr (wr, "type", "pty");
  element_attr (wr, "target", "port", "0");
  end (wr);
  start (wr, "console");
  attr (wr, "type", "pty");
  start (wr, "target");
  attr (wr, "type", "serial");
  attr (wr, "port", "0");
  end (wr);
  end (wr);

  if (!p->compat) {
    start (wr, "channel");
    attr (wr, "type", "unix");
    start (wr, "target");
    attr (wr, "type", "virtio");
    attr (wr, "name", "org.qemu.guest_agent.0");
    end (wr);
    end (wr);
  }

  if (vm->usb) {
    start (wr, "input");
    attr (wr, "type", "tablet");
    attr (wr, "bus", "usb");
    end (wr);
  }

  if (vm->tpm) {
    /* CRB needs the q35 chipset's memory layout; i440fx gets TIS. */
    start (wr, "tpm");
    attr (wr, "model", p->q35 ? "tpm-crb" : "tpm-tis");
    start (wr, "backend");
    attr (wr, "type", "emulator");
    attr (wr, "version", "2.0");
    end (wr);
    end (wr);
  }

  start (wr, "graphics");
  attr (wr, "type", "vnc");
  attr (wr, "autoport", "yes");
  start (wr, "listen");
  attr (wr, "type", "address");
  attr (wr, "address", "127.0.0.1");
  end (wr);
  end (wr);

  start (wr, "video");
  element_attr (wr, "model", "type", p->compat ? "vga" : "virtio");
  end (wr);

  element_attr (wr, "memballoon", "model", p->compat ? "none" : "virtio");

  if (!p->compat) {
    start (wr, "rng");
    attr (wr, "model", "virtio");
    start (wr, "backend");
    attr (wr, "model", "random");
    text (wr, "/dev/urandom");
    end (wr);
    end (wr);
  }
}

static void
write_domain (struct writer *wr, const struct plan *p)
{
  const struct vm *vm = p->vm;

  start (wr, "domain");
  attr (wr, "type", p->kvm ? "kvm" : "qemu");
  element_text (wr, "name", p->name);
  if (vm->uuid)
    element_text (wr, "uuid", vm->uuid);
  start (wr, "memory");
  attr (wr, "unit", "MiB");
  text_u64 (wr, vm->memory_mib);
  end (wr);
  start (wr, "vcpu");
  attr (wr, "placement", "static");
  text_u64 (wr, vm->vcpus);
  end (wr);
  write_os (wr, p);
  write_features (wr, p);
  write_cpu_and_clock (wr, p);
  element_text (wr, "on_poweroff", "destroy");
  element_text (wr, "on_reboot", "restart");
  element_text (wr, "on_crash", "destroy");
  start (wr, "devices");
  if (p->opts->emulator)
    element_text (wr, "emulator", p->opts->emulator);
  write_disks (wr, p);
  write_controllers_and_nics (wr, p);
  write_other_devices (wr, p);
  end (wr);
  end (wr);
}

char *
vm_xml_domain (const struct vm *vm, const struct vm_xml_options *opts)
{
  static const struct vm_xml_options no_options;
  struct plan p = {
    .vm = vm,
    .opts = opts ? opts : &no_options,
  };
  struct writer wr = { 0 };
  xmlBufferPtr buf = NULL;
  char *result = NULL;

  p.name = p.opts->name ? p.opts->name : vm->name;
  if (check_domain (&p) == -1 || check_disks (&p) == -1
      || check_nics (&p) == -1)
    goto out;

  xmlInitParser ();
  buf = xmlBufferCreate ();
  if (buf == NULL || (wr.w = xmlNewTextWriterMemory (buf, 0)) == NULL) {
    error_set ("vm_xml: %s: cannot create an XML writer (out of memory)",
               p.name);
    goto out;
  }
  if (xmlTextWriterSetIndent (wr.w, 1) < 0
      || xmlTextWriterSetIndentString (wr.w, BAD_CAST "  ") < 0)
    wr.failed = true;
  write_domain (&wr, &p);
  if (!wr.failed && xmlTextWriterEndDocument (wr.w) < 0)
    wr.failed = true;
  xmlFreeTextWriter (wr.w);     /* flushes into buf */
  if (wr.failed) {
    error_set ("vm_xml: %s: libxml2 failed to write the domain XML "
               "(out of memory?)", p.name);
    goto out;
  }
  result = strdup ((const char *) xmlBufferContent (buf));
  if (result == NULL)
    error_set_errno (ENOMEM, "vm_xml: %s", p.name);

 out:
  xmlBufferFree (buf);
  free (p.networks);
  free (p.cdroms);
  return result;
}

/* ---- machine type rule ------------------------------------------------- */

static bool
has_suffix (const char *s, size_t len, const char *suffix)
{
  size_t n = strlen (suffix);
  return len >= n && memcmp (s + len - n, suffix, n) == 0;
}

bool
vm_xml_guest_needs_i440fx (const char *guest_os)
{
  /* VMware guestOS / OVF osType identifiers (any case, "-64"/"_64" and
   * OVF's "Guest" suffixes dropped) of guests with neither an AHCI driver
   * nor PCI Express support: q35 has no IDE, so they would not find their
   * disk.  Prefixes name families; exact entries would otherwise also
   * match modern ids ("suse" vs "suse-64" is fine, "sles" is not listed
   * because "sles15" shares it). */
  static const char *const families[] = {
    "win31", "win95", "win98", "winme", "winnt", "win2000", "winxp",
    "winnet",                   /* Windows Server 2003 editions */
    "other24xlinux", "rhel2", "rhel3",
  };
  static const char *const exact[] = {
    "dos", "redhat", "suse", "mandrake", "turbolinux",
  };
  /* Free-text names as Hyper-V or a human would write them. */
  static const char *const phrases[] = {
    "windows xp", "windows 2000", "server 2003", "windows nt",
    "windows 95", "windows 98", "windows me", "ms-dos",
  };
  char id[128];
  size_t len = 0;

  if (guest_os == NULL)
    return false;
  for (; guest_os[len] && len + 1 < sizeof id; len++)
    id[len] = tolower ((unsigned char) guest_os[len]);
  id[len] = '\0';

  for (size_t i = 0; i < sizeof phrases / sizeof *phrases; i++)
    if (strstr (id, phrases[i]))
      return true;

  if (has_suffix (id, len, "guest"))
    len -= 5;
  if (has_suffix (id, len, "-64") || has_suffix (id, len, "_64"))
    len -= 3;
  id[len] = '\0';

  for (size_t i = 0; i < sizeof families / sizeof *families; i++)
    if (strncmp (id, families[i], strlen (families[i])) == 0)
      return true;
  for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
    if (strcmp (id, exact[i]) == 0)
      return true;
  return false;
}

const char *
vm_xml_machine_for (const struct vm *vm)
{
  return vm_xml_guest_needs_i440fx (vm->guest_os) ? "pc" : "q35";
}

/* ---- limits shared with the pre-flight rules --------------------------- */

bool
vm_xml_machine_is_q35 (const char *machine)
{
  /* "q35", "pc-q35-7.2", ...; everything else is the i440fx family. */
  return strcmp (machine, "q35") == 0 || strncmp (machine, "pc-q35", 6) == 0;
}

size_t
vm_xml_ide_devices (const struct vm *vm, const char *machine,
                    enum vm_xml_compat compat)
{
  if (vm_xml_machine_is_q35 (machine ? machine : vm_xml_machine_for (vm)))
    return 0;
  return vm->cdroms.len + (compat == VM_XML_COMPAT ? vm->disks.len : 0);
}

bool
vm_xml_secure_boot_fits (const struct vm *vm, const char *machine)
{
  if (vm->firmware != VM_FIRMWARE_UEFI || !vm->secure_boot)
    return true;
  return vm_xml_machine_is_q35 (machine ? machine : vm_xml_machine_for (vm));
}

const char *
vm_xml_disk_format (const struct vm_disk *d, const char *format)
{
  return d->shared ? "raw" : format;
}

enum vm_xml_disk_limit
vm_xml_disk_check (const struct vm_disk *d, const char *format)
{
  if (d->rdm != VM_RDM_NONE)
    return VM_XML_DISK_RDM;
  if (d->shared && d->mode == VM_DISK_INDEPENDENT_NONPERSISTENT)
    return VM_XML_DISK_SHARED_TRANSIENT;
  if (d->shared && strcmp (format, "raw") != 0)
    return VM_XML_DISK_SHARED_NOT_RAW;
  return VM_XML_DISK_OK;
}

bool
vm_xml_uuid_is_valid (const char *s)
{
  /* 8-4-4-4-12 hexadecimal digits. */
  static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

  if (strlen (s) != sizeof form - 1)
    return false;
  for (size_t i = 0; form[i]; i++)
    if (form[i] == '-' ? s[i] != '-' : !isxdigit ((unsigned char) s[i]))
      return false;
  return true;
}

bool
vm_xml_mac_is_valid (const char *s)
{
  /* libvirt accepts only unicast addresses (the low bit of the first
   * octet clear). */
  if (strlen (s) != 17)
    return false;
  for (size_t i = 0; i < 17; i++)
    if (i % 3 == 2 ? s[i] != ':' : !isxdigit ((unsigned char) s[i]))
      return false;
  int low = isdigit ((unsigned char) s[1]) ? s[1] - '0'
    : tolower ((unsigned char) s[1]) - 'a' + 10;
  return (low & 1) == 0;
}

const char *
vm_xml_name_problem (const char *name)
{
  unsigned char bad = 0;
  const char *why;

  if (name == NULL || name[0] == '\0')
    return "is empty: the source records none and none was given";
  if ((why = text_problem (name, &bad)) != NULL)
    return why;
  if (strchr (name, '/'))
    return "contains '/', which libvirt does not allow";
  return NULL;
}
