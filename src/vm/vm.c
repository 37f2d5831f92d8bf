/* vm.c: the VM model's lifetime and names; see vm.h. */
#include <stdlib.h>

#include "util/ascii.h"
#include "vm/vm.h"

void
vm_free (struct vm *vm)
{
  for (size_t i = 0; i < vm->disks.len; i++) {
    free (vm->disks.ptr[i].controller_model);
    free (vm->disks.ptr[i].path);
    free (vm->disks.ptr[i].datastore);
  }
  for (size_t i = 0; i < vm->nics.len; i++) {
    free (vm->nics.ptr[i].model);
    free (vm->nics.ptr[i].mac);
    free (vm->nics.ptr[i].network);
  }
  for (size_t i = 0; i < vm->cdroms.len; i++)
    free (vm->cdroms.ptr[i].path);
  for (size_t i = 0; i < vm->serials.len; i++) {
    free (vm->serials.ptr[i].kind);
    free (vm->serials.ptr[i].target);
  }
  for (size_t i = 0; i < vm->snapshots.len; i++) {
    free (vm->snapshots.ptr[i].name);
    free (vm->snapshots.ptr[i].uid);
  }
  for (size_t i = 0; i < vm->passthrough.len; i++)
    free (vm->passthrough.ptr[i]);
  vm_disk_vector_reset (&vm->disks);
  vm_nic_vector_reset (&vm->nics);
  vm_cdrom_vector_reset (&vm->cdroms);
  vm_serial_vector_reset (&vm->serials);
  vm_snapshot_vector_reset (&vm->snapshots);
  vm_string_vector_reset (&vm->passthrough);
  free (vm->name);
  free (vm->uuid);
  free (vm->source);
  free (vm->hardware_version);
  free (vm->cpu_affinity);
  free (vm->guest_os);
  free (vm->current_snapshot);
  *vm = (struct vm) VM_INIT;
}

const char *
vm_bus_name (enum vm_bus bus)
{
  switch (bus) {
  case VM_BUS_IDE: return "ide";
  case VM_BUS_SATA: return "sata";
  case VM_BUS_SCSI: return "scsi";
  case VM_BUS_NVME: return "nvme";
  case VM_BUS_VIRTIO: return "virtio";
  case VM_BUS_UNKNOWN: break;
  }
  return "unknown";
}

const char *
vm_firmware_name (enum vm_firmware firmware)
{
  switch (firmware) {
  case VM_FIRMWARE_BIOS: return "bios";
  case VM_FIRMWARE_UEFI: return "uefi";
  case VM_FIRMWARE_UNKNOWN: break;
  }
  return "unknown";
}

const char *
vm_os_family_name (enum vm_os_family family)
{
  switch (family) {
  case VM_OS_LINUX: return "linux";
  case VM_OS_WINDOWS: return "windows";
  case VM_OS_OTHER: return "other";
  case VM_OS_UNKNOWN: break;
  }
  return "unknown";
}

const char *
vm_disk_mode_name (enum vm_disk_mode mode)
{
  switch (mode) {
  case VM_DISK_PERSISTENT: return "persistent";
  case VM_DISK_INDEPENDENT_PERSISTENT: return "independent-persistent";
  case VM_DISK_INDEPENDENT_NONPERSISTENT: return "independent-nonpersistent";
  }
  return "unknown";
}

static int
vm_bus_rank (enum vm_bus bus)
{
  switch (bus) {
  case VM_BUS_SCSI: return 0;
  case VM_BUS_SATA: return 1;
  case VM_BUS_NVME: return 2;
  case VM_BUS_IDE: return 3;
  case VM_BUS_VIRTIO: return 4;
  case VM_BUS_UNKNOWN: break;
  }
  return 5;
}

int
vm_slot_compare (enum vm_bus bus_a, unsigned controller_a, unsigned unit_a,
                 enum vm_bus bus_b, unsigned controller_b, unsigned unit_b)
{
  int a = vm_bus_rank (bus_a), b = vm_bus_rank (bus_b);

  if (a != b)
    return a < b ? -1 : 1;
  if (controller_a != controller_b)
    return controller_a < controller_b ? -1 : 1;
  return unit_a < unit_b ? -1 : unit_a > unit_b;
}

bool
vm_mac_normalize (const char *s, char out[VM_MAC_SIZE])
{
  for (int i = 0; i < VM_MAC_SIZE - 1; i++) {
    int c = (unsigned char) s[i];
    if (i % 3 == 2) {
      if (c != ':' && c != '-')
        return false;
      out[i] = ':';
    }
    else {
      if (ascii_hex_digit (c) < 0)
        return false;
      out[i] = (char) ascii_tolower (c);
    }
  }
  out[VM_MAC_SIZE - 1] = '\0';
  return s[VM_MAC_SIZE - 1] == '\0';
}

enum vm_os_family
vm_os_family_from_vmware_id (const char *id)
{
  static const char *const linux_prefixes[] = {
    "ubuntu", "rhel", "centos", "debian", "sles", "suse", "opensuse",
    "fedora", "oracle", "redhat", "mandrake", "mandriva", "asianux", "nld",
    "sjds", "coreos", "vmwarephoton", "amazonlinux", "crxpod", "crxsys",
    "almalinux", "rockylinux", "pardus", "fusionos", "openeuler",
    "prolinux", "kylinlinux", "turbolinux", "miraclelinux",
  };
  static const char *const other_prefixes[] = {
    "freebsd", "solaris", "darwin", "netware", "netbsd", "openbsd", "dos",
    "os2", "ecomstation", "openserver", "unixware", "sco", "vmkernel",
  };

  if (ascii_prefix (id, "win") || ascii_prefix (id, "longhorn"))
    return VM_OS_WINDOWS;
  /* "otherlinux", "other5xLinux64Guest", ... */
  for (const char *s = id; *s; s++)
    if (ascii_prefix (s, "linux"))
      return VM_OS_LINUX;
  for (size_t i = 0; i < sizeof linux_prefixes / sizeof *linux_prefixes; i++)
    if (ascii_prefix (id, linux_prefixes[i]))
      return VM_OS_LINUX;
  for (size_t i = 0; i < sizeof other_prefixes / sizeof *other_prefixes; i++)
    if (ascii_prefix (id, other_prefixes[i]))
      return VM_OS_OTHER;
  return VM_OS_UNKNOWN;
}
