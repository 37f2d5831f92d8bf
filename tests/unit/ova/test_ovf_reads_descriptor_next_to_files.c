/* ovf:PATH.ovf reads the descriptor with its files next to it: each disk
 * is its own whole file (no window), the manifest is checked. */
#include "ovatest.h"

int
main (void)
{
  struct vm vm;
  char *spec;

  test_init (true);
  ot_make_standard_ova ();
  spec = test_printf ("ovf:%s/web01.ovf", test_dir ());
  ot_read (spec, &vm);
  CHECK_STREQ (vm.source, spec);
  CHECK_STREQ (vm.name, "web01");
  CHECK_U64 (vm.disks.len, 1);
  CHECK_STREQ (vm.disks.ptr[0].path,
               test_printf ("%s/web01-disk1.vmdk", test_dir ()));
  CHECK_U64 (vm.disks.ptr[0].file_base, 0);
  CHECK_U64 (vm.disks.ptr[0].file_length, 0);
  CHECK_U64 (vm.disks.ptr[0].capacity, 64 * MiB);
  vm_free (&vm);

  /* the manifest is checked here too */
  test_run ("echo >> web01-disk1.vmdk");
  ot_read_fails (spec, "digest mismatch", "web01-disk1.vmdk", NULL);
  return 0;
}
