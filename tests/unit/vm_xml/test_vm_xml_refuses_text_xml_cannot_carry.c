/* Control characters and invalid UTF-8 cannot be written as XML 1.0 text,
 * and libvirt refuses '/' in a domain name: each is refused, naming the
 * offending string. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  struct vm_xml_options o = vmxt_options (&vm);

  o.name = "bad\x01name";
  vmxt_expect_fails (&vm, &o, "the domain name contains control character 0x01");
  o.name = "bad\xff\xfe";
  vmxt_expect_fails (&vm, &o, "the domain name is not valid UTF-8");
  o.name = "web/01";
  vmxt_expect_fails (&vm, &o, "libvirt does not allow '/' in a domain name");
  o.name = "";
  vmxt_expect_fails (&vm, &o, "the VM has no name");
  o.name = NULL;

  struct vm_xml_disk disk = { "/images/line\nbreak.qcow2", "qcow2" };
  o.disks = &disk;
  vmxt_expect_fails (&vm, &o,
                     "the image of disk 0 (scsi0:0) contains control character 0x0a");

  vm_free (&vm);
  return vmxt_finish ();
}
