/* Reading an OVA and its disks neither modifies the archive (content,
 * size, modification time) nor unpacks anything: the temporary directory
 * stays empty and no file appears next to the archive. */
#include <sys/stat.h>

#include "ovatest.h"

int
main (void)
{
  struct vm vm;
  struct stat before, after;
  char *tmp;

  test_init (true);
  ot_make_standard_ova ();
  test_run ("mkdir tmp && sha256sum web01.ova > web01.sum && ls > ls.before");
  tmp = test_printf ("%s/tmp", test_dir ());
  setenv ("TMPDIR", tmp, 1);
  CHECK (stat (test_printf ("%s/web01.ova", test_dir ()), &before) == 0);

  ot_read (test_printf ("ova:%s/web01.ova", test_dir ()), &vm);
  ot_compare_window_with_qemu (&vm.disks.ptr[0], "web01-disk1.vmdk", NULL);

  CHECK (stat (test_printf ("%s/web01.ova", test_dir ()), &after) == 0);
  CHECK (before.st_size == after.st_size);
  CHECK (before.st_mtim.tv_sec == after.st_mtim.tv_sec
         && before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
  test_run ("sha256sum -c --quiet web01.sum");
  test_run ("test -z \"$(ls -A tmp)\"");
  /* only the qemu-img reference the comparison made is new */
  test_run ("ls | grep -v -e '^web01-disk1.vmdk.qemu-raw$' -e '^ls.' "
            "> ls.after; ls > /dev/null; "
            "grep -v '^ls.' ls.before | diff - ls.after");
  vm_free (&vm);
  return 0;
}
