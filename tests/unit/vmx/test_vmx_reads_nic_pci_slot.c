/* ethernetN.pciSlotNumber is the NIC's pci_slot (the N of the ensN name
 * Linux gave it on VMware); "-1" (not chosen yet) and no key are unknown
 * (0); anything else that is not a slot number is an error naming the
 * line. */
#include "vmxtest.h"

int
main (void)
{
  static const char *const bad[] = { "abc", "0", "65536", "+192", "" };
  struct vm vm = VM_INIT;

  test_init (false);
  test_write_text ("n.vmx",
                   "ethernet0.present = \"TRUE\"\n"
                   "ethernet0.pciSlotNumber = \"192\"\n"
                   "ethernet1.present = \"TRUE\"\n"
                   "ethernet1.pciSlotNumber = \"-1\"\n"
                   "ethernet2.present = \"TRUE\"\n"
                   "ethernet3.present = \"TRUE\"\n"
                   "ethernet3.pciSlotNumber = \"1184\"\n");
  vt_read ("n.vmx", &vm);
  CHECK (vm.nics.len == 4);
  CHECK (vm.nics.ptr[0].pci_slot == 192);
  CHECK (vm.nics.ptr[1].pci_slot == 0);
  CHECK (vm.nics.ptr[2].pci_slot == 0);
  CHECK (vm.nics.ptr[3].pci_slot == 1184);
  vm_free (&vm);

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *text = test_printf ("ethernet0.present = \"TRUE\"\n"
                              "ethernet0.pciSlotNumber = \"%s\"\n", bad[i]);
    test_write_text ("n.vmx", text);
    vt_expect_fails ("n.vmx", "vmx: n.vmx: line 2: ethernet0.pciSlotNumber = ",
                     "is not a PCI slot number", NULL);
  }
  return 0;
}
