/* A boolean other than TRUE/FALSE (yes/no, on/off, 1/0 are accepted) is
 * an error naming the line. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  test_write_text ("b.vmx", "displayName = \"b\"\nusb.present = \"maybe\"\n");
  vt_expect_fails ("b.vmx", "vmx: b.vmx: line 2: usb.present = \"maybe\" is "
                   "not TRUE or FALSE", NULL);
  test_write_text ("b.vmx", "scsi0:0.present = \"2\"\n");
  vt_expect_fails ("b.vmx", "line 1: scsi0:0.present = \"2\"", NULL);

  test_write_text ("b.vmx", "usb.present = \"yes\"\nvtpm.present = \"1\"\n"
                   "vcpu.hotadd = \"on\"\nmem.hotadd = \"No\"\n");
  vt_read ("b.vmx", &vm);
  CHECK (vm.usb && vm.tpm && vm.cpu_hot_add && !vm.memory_hot_add);
  vm_free (&vm);
  return 0;
}
