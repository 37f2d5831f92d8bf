/* sockets = vCPUs / cores per socket when that divides; an unknown (0)
 * cores per socket means one core per socket. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vm.vcpus = 8;
  vm.cores_per_socket = 4;
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);
  EXPECT_STRING (doc, "8", "/domain/vcpu");
  EXPECT_STRING (doc, "2", "/domain/cpu/topology/@sockets");
  EXPECT_STRING (doc, "4", "/domain/cpu/topology/@cores");

  vm.cores_per_socket = 0;
  doc = vmxt_generate (&vm, &o);
  EXPECT_STRING (doc, "8", "/domain/cpu/topology/@sockets");
  EXPECT_STRING (doc, "1", "/domain/cpu/topology/@cores");

  vm.cores_per_socket = 8;
  doc = vmxt_generate (&vm, &o);
  EXPECT_STRING (doc, "1", "/domain/cpu/topology/@sockets");
  EXPECT_STRING (doc, "8", "/domain/cpu/topology/@cores");

  vm_free (&vm);
  return vmxt_finish ();
}
