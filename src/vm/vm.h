/* vm.h: ferry's description of a virtual machine's hardware.
 *
 * One model for every source (VMX, OVF/OVA, Hyper-V, libvirt) and every
 * target (libvirt domain XML).  Sources fill it from what the hypervisor
 * wrote; validation rules read it; the target writer turns it into a KVM
 * domain.  It holds facts about the source VM, never decisions about the
 * target (bus or NIC model choices live in the writer's options).
 *
 * Strings are owned (malloc'd) by the struct; vm_free() releases them.
 * Unknown or absent values are 0 / NULL / the *_UNKNOWN enumerator, never
 * guessed.
 */
#ifndef FERRY_VM_VM_H
#define FERRY_VM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vector.h"

enum vm_firmware { VM_FIRMWARE_UNKNOWN, VM_FIRMWARE_BIOS, VM_FIRMWARE_UEFI };

enum vm_os_family {
  VM_OS_UNKNOWN,
  VM_OS_LINUX,
  VM_OS_WINDOWS,
  VM_OS_OTHER,                  /* BSDs, Solaris, ... */
};

/* The controller a disk or CD-ROM hangs off on the source. */
enum vm_bus {
  VM_BUS_UNKNOWN,
  VM_BUS_IDE,
  VM_BUS_SATA,
  VM_BUS_SCSI,
  VM_BUS_NVME,
  VM_BUS_VIRTIO,                /* virtio-blk (a KVM source) */
};

enum vm_disk_mode {
  VM_DISK_PERSISTENT,                  /* normal: in snapshots */
  VM_DISK_INDEPENDENT_PERSISTENT,      /* excluded from snapshots */
  VM_DISK_INDEPENDENT_NONPERSISTENT,   /* changes lost at power off */
};

enum vm_rdm {
  VM_RDM_NONE,
  VM_RDM_VIRTUAL,               /* VMFSRDM: virtual compatibility mode */
  VM_RDM_PHYSICAL,              /* VMFSRAW / pass-through */
};

struct vm_disk {
  enum vm_bus bus;
  unsigned controller;          /* scsiN, sataN, ideN, nvmeN */
  unsigned unit;                /* :M */
  char *controller_model;       /* "lsilogic", "pvscsi", "lsisas1068", ... */
  char *path;                   /* the file the VM runs on (top of chain) */
  uint64_t file_base;           /* the image is the window [file_base, */
  uint64_t file_length;         /* +file_length) of path (inside an OVA);
                                   length 0 = the whole file */
  char *datastore;              /* where it lives, for storage mapping */
  uint64_t capacity;            /* bytes; 0 = unknown until opened */
  enum vm_disk_mode mode;
  bool shared;                  /* multi-writer / shared bus */
  enum vm_rdm rdm;
};

struct vm_nic {
  char *model;                  /* "vmxnet3", "e1000", "e1000e", ... */
  char *mac;                    /* "00:50:56:aa:bb:cc", or NULL */
  char *network;                /* the source network (port group) name */
  bool connected;               /* at power on */
  bool sriov;                   /* an SR-IOV virtual function */
  unsigned pci_slot;            /* the slot number the firmware announces
                                   (VMware's ethernetN.pciSlotNumber), from
                                   which Linux names it ens<slot>; 0 =
                                   unknown */
};

struct vm_cdrom {
  enum vm_bus bus;
  unsigned controller;
  unsigned unit;
  char *path;                   /* ISO image, or NULL for a host device */
};

struct vm_serial {
  char *kind;                   /* "file", "pipe", "network", "device" */
  char *target;
};

struct vm_snapshot {
  char *name;
  char *uid;
};

DEFINE_VECTOR_TYPE (vm_disk_vector, struct vm_disk);
DEFINE_VECTOR_TYPE (vm_nic_vector, struct vm_nic);
DEFINE_VECTOR_TYPE (vm_cdrom_vector, struct vm_cdrom);
DEFINE_VECTOR_TYPE (vm_serial_vector, struct vm_serial);
DEFINE_VECTOR_TYPE (vm_snapshot_vector, struct vm_snapshot);
DEFINE_VECTOR_TYPE (vm_string_vector, char *);

struct vm {
  char *name;
  char *uuid;                   /* canonical 8-4-4-4-12 form, or NULL */
  char *source;                 /* where it was read from ("vmx:/..."), */

  enum vm_firmware firmware;
  bool secure_boot;
  char *hardware_version;       /* "vmx-19", or NULL */

  unsigned vcpus;
  unsigned cores_per_socket;    /* 0 = unknown (one core per socket) */
  uint64_t memory_mib;
  bool cpu_hot_add;
  bool memory_hot_add;
  char *cpu_affinity;           /* as written, or NULL */

  char *guest_os;               /* the source's OS identifier ("ubuntu-64") */
  enum vm_os_family os_family;

  vm_disk_vector disks;
  vm_nic_vector nics;
  vm_cdrom_vector cdroms;
  vm_serial_vector serials;
  vm_snapshot_vector snapshots;
  char *current_snapshot;       /* uid of the snapshot the VM runs on */
  vm_string_vector passthrough; /* PCI passthrough device ids */

  bool tpm;
  bool usb;                     /* a USB controller is present */
  bool cbt;                     /* changed block tracking enabled */
};

/* A zeroed vm. */
#define VM_INIT { 0 }

void vm_free (struct vm *vm);

/* Names for messages and reports ("sata", "uefi", ...). */
const char *vm_bus_name (enum vm_bus bus);
const char *vm_firmware_name (enum vm_firmware firmware);
const char *vm_os_family_name (enum vm_os_family family);
const char *vm_disk_mode_name (enum vm_disk_mode mode);

/* The order in which a VM's disks and CD-ROMs are listed, as the guest
 * meets them: SCSI, then SATA, NVMe, IDE, each by controller and unit
 * (scsi0:0 is where ESXi puts the system disk).  Like strcmp. */
int vm_slot_compare (enum vm_bus bus_a, unsigned controller_a,
                     unsigned unit_a, enum vm_bus bus_b,
                     unsigned controller_b, unsigned unit_b);

/* A MAC address "00:50:56:AA:bb:cc" or "00-50-56-..." in the form the
 * model keeps: lower case, ':' separators.  false when s is not one. */
#define VM_MAC_SIZE 18
bool vm_mac_normalize (const char *s, char out[VM_MAC_SIZE]);

/* The OS family of a VMware guest identifier, as .vmx files write it
 * ("ubuntu-64", "windows9-64") or OVF and the vSphere API do
 * ("ubuntu64Guest", "windows9_64Guest"); VM_OS_UNKNOWN when unknown. */
enum vm_os_family vm_os_family_from_vmware_id (const char *id);

#endif
