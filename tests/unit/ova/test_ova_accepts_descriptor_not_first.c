/* OVF wants the descriptor first, but an archive packed in another order
 * (disk first, no manifest) is still read. */
#include "ovatest.h"

int
main (void)
{
  struct vm vm;

  test_init (true);
  ot_make_standard_ova ();
  test_run ("rm web01.ova && tar --format=ustar -cf web01.ova "
            "web01-disk1.vmdk web01.ovf");
  ot_read (test_printf ("ova:%s/web01.ova", test_dir ()), &vm);
  CHECK_STREQ (vm.name, "web01");
  CHECK_U64 (vm.disks.len, 1);
  CHECK_U64 (vm.disks.ptr[0].file_base, 512);
  ot_compare_window_with_qemu (&vm.disks.ptr[0], "web01-disk1.vmdk", NULL);
  vm_free (&vm);
  return 0;
}
