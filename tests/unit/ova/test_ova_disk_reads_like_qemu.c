/* The streamOptimized disk of an OVA, read in place through its window of
 * the archive, holds exactly the guest bytes qemu-img reads from the
 * original disk file. */
#include "ovatest.h"

int
main (void)
{
  struct vm vm;

  test_init (true);
  ot_make_standard_ova ();
  ot_read (test_printf ("ova:%s/web01.ova", test_dir ()), &vm);
  ot_compare_window_with_qemu (&vm.disks.ptr[0], "web01-disk1.vmdk", NULL);
  /* and that is the data qemu-io wrote */
  test_run ("qemu-img compare -f raw -F raw web01-disk1.vmdk.raw "
            "web01-disk1.vmdk.qemu-raw");
  vm_free (&vm);
  return 0;
}
