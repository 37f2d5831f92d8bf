/* A pax archive carries long names in "path=" records of an extended
 * header: the disk is found under its full name and read in place. */
#include "ovatest.h"

int
main (void)
{
  const char *disk = "web01-disk1-with-a-name-well-beyond-the-one-hundred-"
    "bytes-that-a-ustar-name-field-can-hold-without-prefix.vmdk";
  struct vm vm;

  test_init (true);
  CHECK (strlen (disk) > 100);
  ot_make_disk (disk, 16);
  test_write_text ("web01.ovf",
                   ot_vmware_ovf (disk, test_file_size (disk), 16, NULL,
                                  NULL, NULL));
  ot_write_manifest ("web01.mf", "SHA256", test_printf ("web01.ovf %s", disk));
  test_run ("tar --format=pax -cf web01.ova web01.ovf web01.mf %s", disk);
  test_run ("grep -q 'path=' web01.ova");
  ot_read (test_printf ("ova:%s/web01.ova", test_dir ()), &vm);
  CHECK_U64 (vm.disks.len, 1);
  ot_compare_window_with_qemu (&vm.disks.ptr[0], disk, NULL);
  vm_free (&vm);
  return 0;
}
