/* Control characters and invalid UTF-8 cannot be written as XML 1.0 text,
 * and libvirt refuses '/' in a domain name: each is refused, naming the
 * offending string (and the first control character's code).  The same
 * name rule is vm_xml_name_problem(), which the pre-flight rules use. */
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
  vmxt_expect_fails (&vm, &o, "the domain name contains a control character");
  CHECK (vm_xml_name_problem (o.name) != NULL);
  o.name = "bad\xff\xfe";
  vmxt_expect_fails (&vm, &o, "the domain name is not valid UTF-8");
  CHECK (vm_xml_name_problem (o.name) != NULL);
  o.name = "web/01";
  vmxt_expect_fails (&vm, &o, "web/01: the domain name contains '/', which "
                     "libvirt does not allow");
  o.name = "";
  vmxt_expect_fails (&vm, &o, "(none): the domain name is empty");
  o.name = NULL;
  free (vm.name);
  vm.name = NULL;
  vmxt_expect_fails (&vm, &o, "(none): the domain name is empty");
  vm.name = vmxt_strdup ("web01");
  CHECK (vm_xml_name_problem ("web01") == NULL);
  CHECK (vm_xml_name_problem ("web 01 (é)") == NULL);

  struct vm_xml_disk disk = { "/images/line\nbreak.qcow2", "qcow2" };
  o.disks = &disk;
  vmxt_expect_fails (&vm, &o,
                     "the image of disk 0 (scsi0:0) contains a control "
                     "character (0x0a)");

  vm_free (&vm);
  return vmxt_finish ();
}
