/* A source USB controller becomes qemu-xhci on q35 with a USB tablet (an
 * absolute pointer for VNC); without one the USB controller is 'none'. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  vm.usb = true;
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_COUNT (doc, 1, "/domain/devices/controller[@type='usb']");
  EXPECT_STRING (doc, "qemu-xhci", "/domain/devices/controller[@type='usb']/@model");
  EXPECT_COUNT (doc, 1, "/domain/devices/input");
  EXPECT_COUNT (doc, 1, "/domain/devices/input[@type='tablet'][@bus='usb']");

  vm.usb = false;
  doc = vmxt_generate (&vm, &o);
  EXPECT_STRING (doc, "none", "/domain/devices/controller[@type='usb']/@model");
  EXPECT_COUNT (doc, 0, "/domain/devices/input");

  vm_free (&vm);
  return vmxt_finish ();
}
