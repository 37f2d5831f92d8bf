/* A disk mode ferry does not know (the old "undoable") is an error naming
 * the line: guessing would decide which data the target gets. */
#include "vmxtest.h"

int
main (void)
{
  test_init (false);
  vt_write_vmfs_disk ("u", 1);
  test_write_text ("u.vmx", "scsi0.present = \"TRUE\"\n"
                   "scsi0:0.fileName = \"u.vmdk\"\n"
                   "scsi0:0.mode = \"undoable\"\n"
                   "scsi0:0.present = \"TRUE\"\n");
  vt_expect_fails ("u.vmx", "vmx: u.vmx: line 3: scsi0:0.mode = \"undoable\" "
                   "is not a disk mode", NULL);
  return 0;
}
