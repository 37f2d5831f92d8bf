/* A NIC whose source network has no mapping fails the whole domain with
 * an error naming the NIC and the network. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vmxt_add_nic (&vm, "00:50:56:aa:bb:02", "Backup LAN", true);
  struct vm_xml_options o = vmxt_options (&vm);
  vmxt_expect_fails (&vm, &o,
                     "web01: NIC 1: source network 'Backup LAN' is not "
                     "mapped to a libvirt network");

  /* No mapping at all: the first NIC is named. */
  o.map_network = NULL;
  vmxt_expect_fails (&vm, &o, "NIC 0: source network 'VM Network' is not mapped");

  /* A NIC without a recorded network. */
  o = vmxt_options (&vm);
  free (vm.nics.ptr[1].network);
  vm.nics.ptr[1].network = NULL;
  vmxt_expect_fails (&vm, &o, "NIC 1: source network '(none)' is not mapped");

  vm_free (&vm);
  return vmxt_finish ();
}
