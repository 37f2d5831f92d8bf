/* What the writer cannot choose for the source is refused, not guessed:
 * unknown memory size or vCPU count, a malformed UUID, disks without
 * target images. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  struct vm_xml_options o = vmxt_options (&vm);

  vm.memory_mib = 0;
  vmxt_expect_fails (&vm, &o, "web01: the memory size is unknown");
  vm.memory_mib = 1024;
  vm.vcpus = 0;
  vmxt_expect_fails (&vm, &o, "web01: the number of vCPUs is unknown");
  vm.vcpus = 1;
  free (vm.uuid);
  vm.uuid = vmxt_strdup ("42 0b 1c 2d");
  vmxt_expect_fails (&vm, &o, "UUID '42 0b 1c 2d' is not in 8-4-4-4-12 form");
  free (vm.uuid);
  vm.uuid = NULL;
  o.disks = NULL;
  vmxt_expect_fails (&vm, &o, "no target images given for the 1 disk(s)");

  /* Without a UUID the domain gets none (libvirt makes one). */
  o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);
  EXPECT_COUNT (doc, 0, "/domain/uuid");
  EXPECT_STRING (doc, "1024", "/domain/memory");

  /* An unknown firmware boots with BIOS. */
  vm.firmware = VM_FIRMWARE_UNKNOWN;
  doc = vmxt_generate (&vm, &o);
  EXPECT_COUNT (doc, 0, "/domain/os/loader");

  vm_free (&vm);
  return vmxt_finish ();
}
