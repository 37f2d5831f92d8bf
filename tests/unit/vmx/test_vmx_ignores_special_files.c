/* A .vmx naming a FIFO or a character device as a disk does not hang or
 * read it: the disk is listed with capacity 0.  A FIFO given as the .vmx
 * is refused as not a regular file. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  test_run ("mkfifo pipe.vmdk pipe.vmx pipe.vmsd");
  test_write_text ("s.vmx", "scsi0.present = \"TRUE\"\n"
                   "scsi0:0.fileName = \"pipe.vmdk\"\n"
                   "scsi0:0.present = \"TRUE\"\n"
                   "scsi0:1.fileName = \"/dev/zero\"\n"
                   "scsi0:1.present = \"TRUE\"\n");
  vt_read ("s.vmx", &vm);
  CHECK (vm.disks.len == 2);
  CHECK (vm.disks.ptr[0].capacity == 0);
  CHECK_STREQ (vm.disks.ptr[1].path, "/dev/zero");
  CHECK (vm.disks.ptr[1].capacity == 0);
  vm_free (&vm);

  vt_expect_fails ("pipe.vmx", "vmx: pipe.vmx: not a regular file", NULL);
  /* A FIFO where the .vmsd should be. */
  test_write_text ("pipe2.vmx", "displayName = \"p\"\n");
  test_run ("mv pipe.vmsd pipe2.vmsd");
  vt_expect_fails ("pipe2.vmx", "vmx: pipe2.vmsd: not a regular file", NULL);
  return 0;
}
