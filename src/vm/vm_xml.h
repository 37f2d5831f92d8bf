/* vm_xml.h: turn ferry's VM model into a libvirt (KVM) domain definition.
 *
 * The writer makes every target-side decision (machine type, buses, device
 * models, firmware files) from the model plus the caller's options; the
 * model itself stays a description of the source.  It never touches the
 * host: it does not check that files exist nor talk to libvirt.  What it
 * writes validates against libvirt's domain schema (virt-xml-validate).
 *
 * The rules behind each choice are written down in docs/libvirt-xml.md.
 */
#ifndef FERRY_VM_VM_XML_H
#define FERRY_VM_VM_XML_H

#include <stdbool.h>

#include "vm/vm.h"

enum vm_xml_compat {
  VM_XML_VIRTIO,    /* VirtIO disks, NICs, balloon, RNG, agent channel */
  VM_XML_COMPAT,    /* emulated devices for guests without VirtIO drivers:
                       SATA disks (IDE on i440fx), e1000e NICs (rtl8139 on
                       i440fx), VGA, no VirtIO-only devices */
};

/* Where the converted image of vm->disks[i] lives on the KVM host. */
struct vm_xml_disk {
  const char *path;             /* absolute path */
  const char *format;           /* "qcow2" or "raw" */
};

struct vm_xml_options {
  const char *name;             /* domain name; NULL = vm->name */
  enum vm_xml_compat compat;
  const struct vm_xml_disk *disks;   /* one per vm->disks entry */

  /* The libvirt network for a source network (port group) name, which may
   * be NULL when the source did not record one.  Returning NULL means
   * "unmapped": the writer then fails with an error naming the network.
   * NULL callback = no NIC can be mapped.  Returned strings must stay valid
   * until vm_xml_domain() returns. */
  const char *(*map_network) (const char *source_network, void *opaque);
  void *opaque;

  /* One per vm->cdroms entry: the ISO on the KVM host, or NULL for an empty
   * tray.  NULL array = use vm->cdroms[i].path as it is. */
  const char *const *cdroms;

  const char *machine;          /* NULL = vm_xml_machine_for (vm) */
  const char *emulator;         /* NULL = omit, libvirt picks */
  const char *ovmf_code;        /* NULL = Debian's OVMF build, see below */
  const char *ovmf_vars;        /* NULL = Debian's template, see below */
  const char *domain_type;      /* "kvm" (NULL) or "qemu" (TCG) */
};

/* Debian 12's `ovmf` package: 4 MiB flash images.  Secure boot uses the
 * SMM-requiring build and the variable store with Microsoft's keys enrolled
 * and secure boot switched on. */
#define VM_XML_OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define VM_XML_OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"
#define VM_XML_OVMF_CODE_SECBOOT "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
#define VM_XML_OVMF_VARS_SECBOOT "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"

/* A malloc'd NUL-terminated domain XML, or NULL with the error set.
 * Thread-safe once libxml2 is initialised; a threaded program should call
 * xmlInitParser() from its main thread first, as libxml2 asks. */
char *vm_xml_domain (const struct vm *vm, const struct vm_xml_options *opts);

/* The machine type the writer picks when opts->machine is NULL: "pc"
 * (i440fx) for guests too old for q35's AHCI-only storage (Windows before
 * Vista, Linux 2.4 era, DOS), judged from vm->guest_os; "q35" otherwise. */
const char *vm_xml_machine_for (const struct vm *vm);

/* Whether guest_os names a guest that needs i440fx (see above). */
bool vm_xml_guest_needs_i440fx (const char *guest_os);

/*----------------------------------------------------------------------
 * The writer's limits, defined once.  Every refusal of vm_xml_domain()
 * that depends on the VM model (not on the caller's paths or mapping) is
 * decided by one of these, and the pre-flight rules (preflight/validate.c)
 * call the same functions, so that a VM that validates is a VM the
 * writer accepts.  A machine of NULL means vm_xml_machine_for (vm).
 */

/* IDE on i440fx: two buses with two units each (q35 has no IDE). */
#define VM_XML_IDE_MAX_DEVICES 4

/* Whether machine ("q35", "pc-q35-7.2", "pc", ...) is of the q35 family;
 * everything else is i440fx. */
bool vm_xml_machine_is_q35 (const char *machine);

/* How many devices the domain puts on IDE: on i440fx the CD-ROMs and, in
 * compat mode, the disks; on q35 none.  More than VM_XML_IDE_MAX_DEVICES
 * is refused. */
size_t vm_xml_ide_devices (const struct vm *vm, const char *machine,
                           enum vm_xml_compat compat);

/* Whether the VM's UEFI secure boot can be given on machine: it needs
 * SMM, which OVMF supports only on q35.  True when secure boot is off or
 * the VM does not boot with UEFI (the flag is then ignored). */
bool vm_xml_secure_boot_fits (const struct vm *vm, const char *machine);

/* The format of disk d's target image when the migration writes images
 * in format ("qcow2" or "raw"): a shared disk is always raw, since qcow2
 * cannot have several writers. */
const char *vm_xml_disk_format (const struct vm_disk *d, const char *format);

enum vm_xml_disk_limit {
  VM_XML_DISK_OK,
  VM_XML_DISK_RDM,              /* a raw device mapping: no image at all */
  VM_XML_DISK_SHARED_NOT_RAW,   /* shared, but its image is not raw */
  VM_XML_DISK_SHARED_TRANSIENT, /* shared and independent-nonpersistent */
};

/* Whether the writer can define disk d with an image in format; the
 * first limit it breaks. */
enum vm_xml_disk_limit vm_xml_disk_check (const struct vm_disk *d,
                                          const char *format);

/* Whether uuid is in 8-4-4-4-12 hexadecimal form, as libvirt demands
 * (vm.h promises it; a source that broke the promise is refused). */
bool vm_xml_uuid_is_valid (const char *uuid);

/* Whether mac is "xx:xx:xx:xx:xx:xx" and unicast, as libvirt demands. */
bool vm_xml_mac_is_valid (const char *mac);

/* Why name cannot be a domain name, or NULL when it can: "is empty",
 * "is not valid UTF-8", "contains a control character", "contains '/'". */
const char *vm_xml_name_problem (const char *name);

#endif
