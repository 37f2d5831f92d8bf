/* CPU and memory hot-add, a USB controller (xHCI alone, or the classic
 * usb + ehci pair) and changed block tracking, VM-wide or on one disk. */
#include "vmxtest.h"

static struct vm
read_body (const char *body)
{
  struct vm vm = VM_INIT;

  vt_write_esxi_vmx ("app01.vmx", 19, body);
  vt_read ("app01.vmx", &vm);
  return vm;
}

int
main (void)
{
  struct vm vm;

  test_init (false);
  vt_write_vmfs_disk ("app01", 8);

  vm = read_body ("vcpu.hotadd = \"TRUE\"\n"
                  "mem.hotadd = \"TRUE\"\n"
                  "usb_xhci.present = \"TRUE\"\n"
                  "ctkEnabled = \"TRUE\"\n"
                  "scsi0.present = \"TRUE\"\n"
                  "scsi0.virtualDev = \"pvscsi\"\n"
                  "scsi0:0.fileName = \"app01.vmdk\"\n"
                  "scsi0:0.ctkEnabled = \"TRUE\"\n"
                  "scsi0:0.present = \"TRUE\"\n");
  CHECK (vm.cpu_hot_add && vm.memory_hot_add);
  CHECK (vm.usb);
  CHECK (vm.cbt);
  vm_free (&vm);

  vm = read_body ("usb.present = \"TRUE\"\n"
                  "ehci.present = \"TRUE\"\n"
                  "scsi0.present = \"TRUE\"\n"
                  "scsi0:0.fileName = \"app01.vmdk\"\n"
                  "scsi0:0.ctkEnabled = \"TRUE\"\n"
                  "scsi0:0.present = \"TRUE\"\n");
  CHECK (!vm.cpu_hot_add && !vm.memory_hot_add);
  CHECK (vm.usb);
  CHECK (vm.cbt);
  vm_free (&vm);

  vm = read_body ("vcpu.hotadd = \"FALSE\"\n"
                  "usb.present = \"FALSE\"\n"
                  "ctkEnabled = \"FALSE\"\n"
                  "scsi0.present = \"TRUE\"\n"
                  "scsi0:0.fileName = \"app01.vmdk\"\n"
                  "scsi0:0.present = \"TRUE\"\n");
  CHECK (!vm.cpu_hot_add && !vm.usb && !vm.cbt);
  vm_free (&vm);
  return 0;
}
