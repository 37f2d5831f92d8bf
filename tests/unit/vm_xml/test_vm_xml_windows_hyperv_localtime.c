/* A Windows guest: RTC in local time, Hyper-V enlightenments (relaxed,
 * vapic, spinlocks with 8191 retries) and the Hyper-V clock. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  free (vm.guest_os);
  vm.guest_os = vmxt_strdup ("windows2019srv_64Guest");
  vm.os_family = VM_OS_WINDOWS;
  vm.firmware = VM_FIRMWARE_UEFI;
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_STRING (doc, "localtime", "/domain/clock/@offset");
  EXPECT_STRING (doc, "catchup", "/domain/clock/timer[@name='rtc']/@tickpolicy");
  EXPECT_STRING (doc, "delay", "/domain/clock/timer[@name='pit']/@tickpolicy");
  EXPECT_STRING (doc, "no", "/domain/clock/timer[@name='hpet']/@present");
  EXPECT_STRING (doc, "yes",
                 "/domain/clock/timer[@name='hypervclock']/@present");
  EXPECT_COUNT (doc, 1, "/domain/features/hyperv");
  EXPECT_COUNT (doc, 3, "/domain/features/hyperv/*");
  EXPECT_COUNT (doc, 1, "/domain/features/hyperv/relaxed[@state='on']");
  EXPECT_COUNT (doc, 1, "/domain/features/hyperv/vapic[@state='on']");
  EXPECT_COUNT (doc, 1,
                "/domain/features/hyperv/spinlocks[@state='on'][@retries='8191']");
  EXPECT_STRING (doc, "q35", "/domain/os/type/@machine");

  vm_free (&vm);
  return vmxt_finish ();
}
