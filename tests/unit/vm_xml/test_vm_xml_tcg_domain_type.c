/* domain_type "qemu" (TCG, no KVM): domain type qemu, no host-model CPU
 * and no Hyper-V enlightenments, which need KVM. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vm.os_family = VM_OS_WINDOWS;
  struct vm_xml_options o = vmxt_options (&vm);
  o.domain_type = "qemu";
  o.emulator = "/usr/bin/qemu-system-x86_64";
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_STRING (doc, "qemu", "/domain/@type");
  EXPECT_COUNT (doc, 0, "/domain/cpu/@mode");
  EXPECT_STRING (doc, "1", "/domain/cpu/topology/@sockets");
  EXPECT_COUNT (doc, 0, "/domain/features/hyperv");
  EXPECT_COUNT (doc, 0, "/domain/clock/timer[@name='hypervclock']");
  EXPECT_STRING (doc, "localtime", "/domain/clock/@offset");
  EXPECT_STRING (doc, "/usr/bin/qemu-system-x86_64", "/domain/devices/emulator");

  o.domain_type = "xen";
  vmxt_expect_fails (&vm, &o, "domain type 'xen' is not supported");

  vm_free (&vm);
  return vmxt_finish ();
}
