/* Each NIC's source network goes through the caller's mapping, which is
 * given the source name and the opaque pointer. */
#include <string.h>

#include "vmxmltest.h"

static int calls;

static const char *
map (const char *source, void *opaque)
{
  if (opaque != &calls)
    FAIL ("opaque pointer not passed through");
  calls++;
  if (source && strcmp (source, "Prod VLAN 12") == 0)
    return "br-vlan12";
  return NULL;
}

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  free (vm.nics.ptr[0].network);
  vm.nics.ptr[0].network = vmxt_strdup ("Prod VLAN 12");
  struct vm_xml_options o = vmxt_options (&vm);
  o.map_network = map;
  o.opaque = &calls;
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  CHECK (calls == 1);
  EXPECT_COUNT (doc, 1, "/domain/devices/interface[@type='network']");
  EXPECT_STRING (doc, "br-vlan12", "/domain/devices/interface/source/@network");
  EXPECT_COUNT (doc, 1, "/domain/devices/interface/source/@*");

  vm_free (&vm);
  return vmxt_finish ();
}
