/* uuid.bios ("56 4d ... -...", either case) becomes the canonical
 * lowercase 8-4-4-4-12 form; something else is an error naming the line. */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  test_write_text ("u.vmx", "displayName = \"u\"\n"
                   "uuid.bios = \"56 4D 0A bc DE f0 12 34-56 78 9A BC de f0 "
                   "01 23\"\n");
  vt_read ("u.vmx", &vm);
  CHECK_STREQ (vm.uuid, "564d0abc-def0-1234-5678-9abcdef00123");
  vm_free (&vm);

  /* Already canonical. */
  test_write_text ("u.vmx", "uuid.bios = "
                   "\"564d0abc-def0-1234-5678-9abcdef00123\"\n");
  vt_read ("u.vmx", &vm);
  CHECK_STREQ (vm.uuid, "564d0abc-def0-1234-5678-9abcdef00123");
  vm_free (&vm);

  test_write_text ("u.vmx", "displayName = \"u\"\n"
                   "uuid.bios = \"56 4d 0a bc de f0 12 34-56 78\"\n");
  vt_expect_fails ("u.vmx", "vmx: u.vmx: line 2: uuid.bios", "not a UUID",
                   NULL);
  test_write_text ("u.vmx", "uuid.bios = \"56 4d 0a bc de f0 12 34-56 78 9a "
                   "bc de f0 01 2g\"\n");
  vt_expect_fails ("u.vmx", "line 1: uuid.bios", NULL);
  test_write_text ("u.vmx", "uuid.bios = \"56 4d 0a bc de f0 12 34-56 78 9a "
                   "bc de f0 01 23 45\"\n");
  vt_expect_fails ("u.vmx", "line 1: uuid.bios", NULL);
  return 0;
}
