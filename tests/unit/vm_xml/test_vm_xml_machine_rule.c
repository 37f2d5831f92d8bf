/* The machine type rule: i440fx only for guests without AHCI/PCIe support,
 * recognised from VMware, OVF and free-text guest OS names. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  static const char *const old[] = {
    "winXPPro", "winxppro-64", "winXPProGuest", "winXPPro64Guest",
    "winNetEnterprise", "winNetStandard-64", "winNetStandard64Guest",
    "win2000Serv", "winNT", "win98", "win95", "winMe", "dos", "dosGuest",
    "other24xLinux", "other24xLinux-64", "rhel3", "rhel3_64Guest", "rhel2",
    "redhat", "suse", "mandrake", "turboLinux",
    "Microsoft Windows XP Professional", "Windows Server 2003 R2",
    /* longer than the writer's buffer: still judged by its start */
    "winxp_but_longer_than_the_buffer_xxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  };
  static const char *const modern[] = {
    "ubuntu-64", "windows9-64", "windows2019srv_64Guest", "winVista",
    "winLonghorn", "windows7Server64Guest", "rhel4", "rhel7-64", "sles15-64",
    "suse-64x", "other26xLinux-64", "otherLinux", "freebsd-64", "darwin",
    "Windows 10", "",
  };

  vmxt_init ();
  for (size_t i = 0; i < sizeof old / sizeof *old; i++)
    if (!vm_xml_guest_needs_i440fx (old[i]))
      FAIL ("'%s' should get i440fx", old[i]);
  for (size_t i = 0; i < sizeof modern / sizeof *modern; i++)
    if (vm_xml_guest_needs_i440fx (modern[i]))
      FAIL ("'%s' should get q35", modern[i]);
  CHECK (!vm_xml_guest_needs_i440fx (NULL));

  struct vm vm;
  vmxt_base (&vm);
  CHECK (strcmp (vm_xml_machine_for (&vm), "q35") == 0);
  free (vm.guest_os);
  vm.guest_os = vmxt_strdup ("winNetEnterprise");
  CHECK (strcmp (vm_xml_machine_for (&vm), "pc") == 0);

  /* An explicit machine wins. */
  struct vm_xml_options o = vmxt_options (&vm);
  o.machine = "pc-q35-7.2";
  xmlDocPtr doc = vmxt_generate (&vm, &o);
  EXPECT_STRING (doc, "pc-q35-7.2", "/domain/os/type/@machine");
  EXPECT_COUNT (doc, 0, "/domain/devices/disk/target[@bus='ide']");

  vm_free (&vm);
  return vmxt_finish ();
}
