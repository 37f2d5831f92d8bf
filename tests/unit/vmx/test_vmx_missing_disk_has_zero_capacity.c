/* A disk file that does not exist is not an error for the reader: the
 * disk is listed with capacity 0 (the validation rules report it). */
#include <limits.h>

#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;
  char dir[PATH_MAX];

  test_init (false);
  CHECK (realpath (test_dir (), dir) != NULL);
  vt_write_esxi_vmx ("lost.vmx", 19,
                     "scsi0.present = \"TRUE\"\n"
                     "scsi0:0.fileName = \"lost.vmdk\"\n"
                     "scsi0:0.present = \"TRUE\"\n");
  vt_read ("lost.vmx", &vm);
  CHECK (vm.disks.len == 1);
  CHECK_STREQ (vm.disks.ptr[0].path, test_printf ("%s/lost.vmdk", dir));
  CHECK (vm.disks.ptr[0].capacity == 0);
  CHECK (vm.disks.ptr[0].rdm == VM_RDM_NONE);
  CHECK (strcmp (error_message (), "") == 0);
  vm_free (&vm);
  return 0;
}
