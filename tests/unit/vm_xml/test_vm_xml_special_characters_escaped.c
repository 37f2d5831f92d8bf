/* Names and paths holding XML's special characters come back unchanged
 * after parsing: the writer escapes everything. */
#include <string.h>

#include "vmxmltest.h"

#define NASTY "a<&'\">b ]]> &amp;"

static const char *
map (const char *source, void *opaque)
{
  return "net " NASTY;
}

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  free (vm.name);
  vm.name = vmxt_strdup ("vm " NASTY " é");
  vmxt_add_cdrom (&vm, "/isos/" NASTY ".iso");
  struct vm_xml_options o = vmxt_options (&vm);
  struct vm_xml_disk disk = { "/images/" NASTY ".qcow2", "qcow2" };
  o.disks = &disk;
  o.map_network = map;
  o.emulator = "/usr/bin/qemu " NASTY;
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_STRING (doc, "vm " NASTY " é", "/domain/name");
  EXPECT_STRING (doc, "/images/" NASTY ".qcow2",
                 "/domain/devices/disk[1]/source/@file");
  EXPECT_STRING (doc, "/isos/" NASTY ".iso",
                 "/domain/devices/disk[@device='cdrom']/source/@file");
  EXPECT_STRING (doc, "net " NASTY, "/domain/devices/interface/source/@network");
  EXPECT_STRING (doc, "/usr/bin/qemu " NASTY, "/domain/devices/emulator");
  CHECK (strstr (vmxt_xml (), "<&") == NULL);

  /* A name given in the options wins over the source's. */
  o.name = "renamed <&>";
  doc = vmxt_generate (&vm, &o);
  EXPECT_STRING (doc, "renamed <&>", "/domain/name");

  vm_free (&vm);
  return vmxt_finish ();
}
