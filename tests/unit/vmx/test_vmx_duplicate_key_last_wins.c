/* A key written twice (in any case) takes its last value. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;
  static const char text[] =
    "memSize = \"1024\"\n"
    "displayName = \"old\"\n"
    "memsize = \"2048\"\n"
    "scsi0.present = \"TRUE\"\n"
    "scsi0:0.fileName = \"dup.vmdk\"\n"
    "scsi0:0.present = \"FALSE\"\n"
    "SCSI0:0.Present = \"TRUE\"\n"
    "displayName = \"new\"\n";
  struct vmx_file *f;
  const struct vmx_entry *e;

  test_init (false);
  log_set_level (LOG_DEBUG);
  test_write_text ("dup.vmx", text);
  vt_write_vmfs_disk ("dup", 1);
  vt_read ("dup.vmx", &vm);
  CHECK (vm.memory_mib == 2048);
  CHECK_STREQ (vm.name, "new");
  CHECK (vm.disks.len == 1);
  vm_free (&vm);

  CHECK (vmx_file_parse (text, strlen (text), "dup.vmx", &f) == 0);
  CHECK (vmx_file_count (f) == 5);
  e = vmx_file_find (f, "MEMSIZE");
  CHECK (e != NULL && e->line == 3 && strcmp (e->value, "2048") == 0);
  vmx_file_free (f);
  return 0;
}
