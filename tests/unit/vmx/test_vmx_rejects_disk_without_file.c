/* A present disk with no (or an empty) fileName is an error naming it; a
 * present device with neither a type nor a file is left out. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  test_write_text ("d.vmx", "scsi0.present = \"TRUE\"\n"
                   "scsi0:1.deviceType = \"scsi-hardDisk\"\n"
                   "scsi0:1.present = \"TRUE\"\n");
  vt_expect_fails ("d.vmx", "vmx: d.vmx: line 3: scsi0:1 is a present disk "
                   "without a fileName", NULL);
  test_write_text ("d.vmx", "sata0.present = \"TRUE\"\n"
                   "sata0:1.deviceType = \"disk\"\n"
                   "sata0:1.fileName = \"\"\n"
                   "sata0:1.present = \"TRUE\"\n");
  vt_expect_fails ("d.vmx", "sata0:1 is a present disk without a fileName",
                   NULL);

  /* Neither a type nor a file: nothing to describe, not an error. */
  test_write_text ("d.vmx", "ide1:0.present = \"TRUE\"\n");
  vt_read ("d.vmx", &vm);
  CHECK (vm.disks.len == 0 && vm.cdroms.len == 0);
  vm_free (&vm);
  return 0;
}
