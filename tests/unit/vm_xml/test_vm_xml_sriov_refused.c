/* SR-IOV NICs and PCI passthrough devices are tied to the source host's
 * hardware: refused with an error naming them. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vmxt_add_nic (&vm, "00:50:56:aa:bb:02", "DMZ", true);
  vm.nics.ptr[1].sriov = true;
  struct vm_xml_options o = vmxt_options (&vm);
  vmxt_expect_fails (&vm, &o, "web01: NIC 1 on network 'DMZ' is an SR-IOV "
                     "virtual function");

  vm.nics.ptr[1].sriov = false;
  if (vm_string_vector_append (&vm.passthrough, vmxt_strdup ("0000:3b:00.0")) == -1)
    FAIL ("out of memory");
  vmxt_expect_fails (&vm, &o, "1 PCI passthrough device(s) (first: 0000:3b:00.0)");

  vm_free (&vm);
  return vmxt_finish ();
}
