/* The descriptor says 128 MiB, the image holds 64 MiB: a clear error with
 * both sizes, not a silently shorter disk. */
#include "ovatest.h"

int
main (void)
{
  test_init (true);
  ot_make_standard_ova ();
  test_write_text ("web01.ovf",
                   ot_vmware_ovf ("web01-disk1.vmdk",
                                  test_file_size ("web01-disk1.vmdk"), 128,
                                  NULL, NULL, NULL));
  test_run ("rm web01.ova && tar --format=ustar -cf web01.ova web01.ovf "
            "web01-disk1.vmdk");
  ot_read_fails (test_printf ("ova:%s/web01.ova", test_dir ()),
                 "web01-disk1.vmdk", "67108864 bytes",
                 "capacity of 134217728", NULL);
  return 0;
}
