/* RDM disks are refused with an error naming the disk (validation catches
 * them earlier; the writer must not quietly drop one). */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vmxt_add_disk (&vm, VM_BUS_SCSI, 1, 3);
  vm.disks.ptr[1].rdm = VM_RDM_PHYSICAL;
  struct vm_xml_options o = vmxt_options (&vm);
  vmxt_expect_fails (&vm, &o, "web01: disk 1 (scsi1:3) is a raw device "
                     "mapping (physical mode)");

  vm.disks.ptr[1].rdm = VM_RDM_VIRTUAL;
  vmxt_expect_fails (&vm, &o, "disk 1 (scsi1:3) is a raw device mapping "
                     "(virtual mode)");

  vm_free (&vm);
  return vmxt_finish ();
}
