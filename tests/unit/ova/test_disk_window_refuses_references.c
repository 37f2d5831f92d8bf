/* An image read in place must stand alone: a qcow2 with a backing file and
 * a VMDK descriptor naming extent files are refused inside a window, so
 * that an archive cannot make ferry read files its author chose. */
#include "ovatest.h"

int
main (void)
{
  char *outer;

  test_init (true);
  outer = test_printf ("%s/outer.bin", test_dir ());
  test_run ("qemu-img create -q -f qcow2 base.qcow2 8M && "
            "qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 top.qcow2");
  test_run ("head -c 1024 /dev/zero > outer.bin && cat top.qcow2 >> "
            "outer.bin");
  CHECK (disk_open_window (outer, 1024, test_file_size ("top.qcow2"), NULL,
                           0) == NULL);
  CHECK (strstr (error_message (), "backing file") != NULL);

  test_write_text ("desc.vmdk",
                   "# Disk DescriptorFile\nversion=1\nCID=fffffffe\n"
                   "parentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
                   "RW 16384 FLAT \"/etc/passwd\" 0\n");
  test_run ("head -c 512 /dev/zero > outer.bin && cat desc.vmdk >> "
            "outer.bin");
  CHECK (disk_open_window (outer, 512, test_file_size ("desc.vmdk"), "vmdk",
                           0) == NULL);
  CHECK (strstr (error_message (), "extent files") != NULL);
  return 0;
}
