/* Disk names: relative to the .vmx's folder; an absolute ESXi path that
 * does not exist here falls back to the same base name next to the .vmx;
 * an absolute path that exists is kept; the datastore is the
 * /vmfs/volumes/<name>/ component, else the file's directory. */
#include <limits.h>

#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;
  char dir[PATH_MAX];
  char *other, *body;

  test_init (false);
  CHECK (realpath (test_dir (), dir) != NULL);
  test_run ("mkdir -p vm other");
  other = test_printf ("%s/other/data.vmdk", dir);
  body = test_printf (
    "scsi0.present = \"TRUE\"\n"
    "scsi0.virtualDev = \"pvscsi\"\n"
    "scsi0:0.fileName = \"/vmfs/volumes/datastore1/web01/web01.vmdk\"\n"
    "scsi0:0.present = \"TRUE\"\n"
    "scsi0:1.fileName = \"/vmfs/volumes/5f1e2d3c-4b5a6978-abcd-0123456789ab/"
    "shared/gone.vmdk\"\n"
    "scsi0:1.present = \"TRUE\"\n"
    "scsi0:2.fileName = \"%s\"\n"
    "scsi0:2.present = \"TRUE\"\n"
    "scsi0:3.fileName = \"../other/data.vmdk\"\n"
    "scsi0:3.present = \"TRUE\"\n", other);
  vt_write_esxi_vmx ("vm/web01.vmx", 19, body);
  vt_write_vmfs_disk ("vm/web01", 4);
  vt_write_vmfs_disk ("other/data", 2);
  vt_read ("vm/web01.vmx", &vm);

  CHECK (vm.disks.len == 4);
  CHECK_STREQ (vm.disks.ptr[0].path, test_printf ("%s/vm/web01.vmdk", dir));
  CHECK_STREQ (vm.disks.ptr[0].datastore, "datastore1");
  CHECK (vm.disks.ptr[0].capacity == 4 * MiB);

  CHECK_STREQ (vm.disks.ptr[1].path, "/vmfs/volumes/"
               "5f1e2d3c-4b5a6978-abcd-0123456789ab/shared/gone.vmdk");
  CHECK_STREQ (vm.disks.ptr[1].datastore,
               "5f1e2d3c-4b5a6978-abcd-0123456789ab");
  CHECK (vm.disks.ptr[1].capacity == 0);

  CHECK_STREQ (vm.disks.ptr[2].path, other);
  CHECK_STREQ (vm.disks.ptr[2].datastore, test_printf ("%s/other", dir));
  CHECK (vm.disks.ptr[2].capacity == 2 * MiB);

  CHECK_STREQ (vm.disks.ptr[3].path,
               test_printf ("%s/vm/../other/data.vmdk", dir));
  CHECK (vm.disks.ptr[3].capacity == 2 * MiB);
  vm_free (&vm);
  return 0;
}
