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

#endif
