/* The source's MAC address is kept (the guest's network configuration may
 * be tied to it); a NIC without one gets none and libvirt makes one up. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vmxt_add_nic (&vm, NULL, "VM Network", true);
  vmxt_add_nic (&vm, "00:0C:29:AB:CD:EF", "VM Network", true);
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_STRING (doc, VMXT_MAC, "/domain/devices/interface[1]/mac/@address");
  EXPECT_COUNT (doc, 0, "/domain/devices/interface[2]/mac");
  EXPECT_STRING (doc, "00:0C:29:AB:CD:EF",
                 "/domain/devices/interface[3]/mac/@address");

  /* libvirt refuses multicast addresses; so do we, naming the NIC. */
  free (vm.nics.ptr[2].mac);
  vm.nics.ptr[2].mac = vmxt_strdup ("01:50:56:aa:bb:cc");
  vmxt_expect_fails (&vm, &o,
                     "NIC 2: '01:50:56:aa:bb:cc' is not a unicast MAC address");
  free (vm.nics.ptr[2].mac);
  vm.nics.ptr[2].mac = vmxt_strdup ("00:50:56:aa:bb");
  vmxt_expect_fails (&vm, &o, "is not a unicast MAC address");

  vm_free (&vm);
  return vmxt_finish ();
}
