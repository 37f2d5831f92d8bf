/* Older exporters write SHA-1 manifests: they are verified too (and a
 * wrong SHA-1 is caught). */
#include "ovatest.h"

int
main (void)
{
  struct vm vm;
  const char *spec;

  test_init (true);
  ot_make_standard_ova ();
  ot_write_manifest ("web01.mf", "SHA1", "web01.ovf web01-disk1.vmdk");
  test_run ("grep -q '^SHA1(web01-disk1.vmdk)= [0-9a-f]\\{40\\}$' web01.mf");
  test_run ("rm web01.ova && tar --format=ustar -cf web01.ova web01.ovf "
            "web01.mf web01-disk1.vmdk");
  spec = test_printf ("ova:%s/web01.ova", test_dir ());
  ot_read (spec, &vm);
  vm_free (&vm);

  test_run ("sed -i 's/^SHA1(web01.ovf)= .*/SHA1(web01.ovf)= "
            "0123456789012345678901234567890123456789/' web01.mf");
  test_run ("rm web01.ova && tar --format=ustar -cf web01.ova web01.ovf "
            "web01.mf web01-disk1.vmdk");
  ot_read_fails (spec, "SHA1 digest mismatch", "web01.ovf", NULL);
  return 0;
}
