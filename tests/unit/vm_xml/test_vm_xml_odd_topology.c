/* 6 vCPUs with 4 cores per socket do not divide: six single-core sockets
 * (the vCPU count is what matters to the guest). */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vm.vcpus = 6;
  vm.cores_per_socket = 4;
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_STRING (doc, "6", "/domain/vcpu");
  EXPECT_STRING (doc, "6", "/domain/cpu/topology/@sockets");
  EXPECT_STRING (doc, "1", "/domain/cpu/topology/@cores");
  EXPECT_STRING (doc, "1", "/domain/cpu/topology/@threads");
  EXPECT_STRING (doc, "1", "/domain/cpu/topology/@dies");

  vm_free (&vm);
  return vmxt_finish ();
}
