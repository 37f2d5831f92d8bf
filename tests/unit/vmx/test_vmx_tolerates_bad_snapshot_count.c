/* snapshot.numSnapshots is not trusted: a .vmsd claiming a million
 * snapshots while listing two yields those two (nothing is allocated from
 * the count). */
#include "vmxtest.h"

int
main (void)
{
  struct vm vm = VM_INIT;

  test_init (false);
  test_write_text ("s.vmx", "displayName = \"s\"\n");
  test_write_text ("s.vmsd", ".encoding = \"UTF-8\"\n"
                   "snapshot.lastUID = \"7\"\n"
                   "snapshot.numSnapshots = \"1000000\"\n"
                   "snapshot.current = \"7\"\n"
                   "snapshot0.uid = \"3\"\n"
                   "snapshot0.displayName = \"a\"\n"
                   "snapshot10.uid = \"7\"\n"
                   "snapshot10.displayName = \"b |22quoted|22\"\n"
                   "snapshot2.uid = \"5\"\n");
  vt_read ("s.vmx", &vm);
  CHECK (vm.snapshots.len == 3);
  CHECK_STREQ (vm.snapshots.ptr[0].uid, "3");
  CHECK_STREQ (vm.snapshots.ptr[0].name, "a");
  CHECK_STREQ (vm.snapshots.ptr[1].uid, "5");
  CHECK (vm.snapshots.ptr[1].name == NULL);
  CHECK_STREQ (vm.snapshots.ptr[2].uid, "7");
  CHECK_STREQ (vm.snapshots.ptr[2].name, "b \"quoted\"");
  CHECK_STREQ (vm.current_snapshot, "7");
  vm_free (&vm);

  test_write_text ("s.vmsd", "snapshot.numSnapshots = \"lots\"\n");
  vt_read ("s.vmx", &vm);
  CHECK (vm.snapshots.len == 0 && vm.current_snapshot == NULL);
  vm_free (&vm);
  return 0;
}
