/* A manifest listing a file the archive does not hold is an error naming
 * that file. */
#include "ovatest.h"

int
main (void)
{
  test_init (true);
  ot_make_standard_ova ();
  test_run ("printf 'SHA256(web01-disk2.vmdk)= %%064d\\n' 0 >> web01.mf");
  test_run ("rm web01.ova && tar --format=ustar -cf web01.ova web01.ovf "
            "web01.mf web01-disk1.vmdk");
  ot_read_fails (test_printf ("ova:%s/web01.ova", test_dir ()),
                 "web01-disk2.vmdk", "not in the archive", NULL);
  return 0;
}
