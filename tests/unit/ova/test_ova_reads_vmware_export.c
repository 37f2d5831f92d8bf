/* A package exported the way vSphere writes it (ustar OVA: .ovf, .mf,
 * streamOptimized disk) is read field by field: machine, firmware, guest
 * OS, controllers, disk placement and window, NICs, CD-ROM, USB. */
#include "ovatest.h"

int
main (void)
{
  struct vm vm;
  const struct vm_disk *d;
  uint8_t magic[4];

  test_init (true);
  ot_make_standard_ova ();
  ot_read (test_printf ("ova:%s/web01.ova", test_dir ()), &vm);

  CHECK_STREQ (vm.name, "web01");
  CHECK_STREQ (vm.source, test_printf ("ova:%s/web01.ova", test_dir ()));
  CHECK (vm.firmware == VM_FIRMWARE_UEFI);
  CHECK (vm.secure_boot);
  CHECK_STREQ (vm.hardware_version, "vmx-19");
  CHECK_U64 (vm.vcpus, 4);
  CHECK_U64 (vm.cores_per_socket, 2);
  CHECK_U64 (vm.memory_mib, 8192);
  CHECK (vm.cpu_hot_add);
  CHECK (!vm.memory_hot_add);
  CHECK_STREQ (vm.guest_os, "ubuntu64Guest");
  CHECK (vm.os_family == VM_OS_LINUX);
  CHECK (vm.usb);
  CHECK (!vm.tpm);
  CHECK (!vm.cbt);

  CHECK_U64 (vm.disks.len, 1);
  d = &vm.disks.ptr[0];
  CHECK (d->bus == VM_BUS_SCSI);
  CHECK_U64 (d->controller, 0);
  CHECK_U64 (d->unit, 0);
  CHECK_STREQ (d->controller_model, "pvscsi");
  CHECK_STREQ (d->path, test_printf ("%s/web01.ova", test_dir ()));
  CHECK_U64 (d->capacity, 64 * MiB);
  CHECK (d->mode == VM_DISK_PERSISTENT);
  /* The window is the member's data: a sparse header, the file's size. */
  CHECK_U64 (d->file_length, test_file_size ("web01-disk1.vmdk"));
  CHECK (d->file_base % 512 == 0 && d->file_base > 0);
  test_read_at ("web01.ova", d->file_base, magic, 4);
  CHECK (memcmp (magic, "KDMV", 4) == 0);

  CHECK_U64 (vm.nics.len, 2);
  CHECK_STREQ (vm.nics.ptr[0].model, "vmxnet3");
  CHECK_STREQ (vm.nics.ptr[0].network, "VM Network");
  CHECK_STREQ (vm.nics.ptr[0].mac, "00:50:56:ab:cd:01");
  CHECK (vm.nics.ptr[0].connected);
  CHECK_STREQ (vm.nics.ptr[1].model, "e1000e");
  CHECK_STREQ (vm.nics.ptr[1].network, "Backup");
  CHECK (vm.nics.ptr[1].mac == NULL);
  CHECK (!vm.nics.ptr[1].connected);

  CHECK_U64 (vm.cdroms.len, 1);
  CHECK (vm.cdroms.ptr[0].bus == VM_BUS_SATA);
  CHECK_U64 (vm.cdroms.ptr[0].controller, 0);
  CHECK_U64 (vm.cdroms.ptr[0].unit, 0);
  CHECK (vm.cdroms.ptr[0].path == NULL);
  vm_free (&vm);
  return 0;
}
