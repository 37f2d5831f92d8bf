/* A NIC not connected at power on gets <link state='down'/>; a connected
 * one has no <link> (up is libvirt's default). */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vmxt_add_nic (&vm, "00:50:56:aa:bb:02", "DMZ", false);
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_COUNT (doc, 0, "/domain/devices/interface[1]/link");
  EXPECT_COUNT (doc, 1, "/domain/devices/interface[2]/link");
  EXPECT_STRING (doc, "down", "/domain/devices/interface[2]/link/@state");
  EXPECT_STRING (doc, "dmz", "/domain/devices/interface[2]/source/@network");

  vm_free (&vm);
  return vmxt_finish ();
}
