/* GNU tar stores names longer than 100 bytes in a "././@LongLink" entry
 * before the member: the disk is found under its full name. */
#include "ovatest.h"

int
main (void)
{
  const char *disk = "web01-a-very-long-disk-name-exported-by-vcenter-for-"
    "the-production-cluster-datastore-0001-with-a-long-suffix-disk1.vmdk";
  struct vm vm;

  test_init (true);
  CHECK (strlen (disk) > 100);
  ot_make_disk (disk, 16);
  test_write_text ("web01.ovf",
                   ot_vmware_ovf (disk, test_file_size (disk), 16, NULL,
                                  NULL, NULL));
  ot_write_manifest ("web01.mf", "SHA256", test_printf ("web01.ovf %s", disk));
  test_run ("tar --format=gnu -cf web01.ova web01.ovf web01.mf %s", disk);
  test_run ("grep -q '././@LongLink' web01.ova");
  ot_read (test_printf ("ova:%s/web01.ova", test_dir ()), &vm);
  CHECK_U64 (vm.disks.len, 1);
  CHECK_U64 (vm.disks.ptr[0].capacity, 16 * MiB);
  ot_compare_window_with_qemu (&vm.disks.ptr[0], disk, NULL);
  vm_free (&vm);
  return 0;
}
