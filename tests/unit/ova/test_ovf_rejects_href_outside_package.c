/* A descriptor may not point at files outside its package: an absolute
 * href, "..", or a URL is refused before anything is opened. */
#include "ovatest.h"

static void
expect_fails (const char *href)
{
  char *ovf = ot_vmware_ovf (href, 0, 64, NULL, NULL, NULL);

  /* no ovf:size: References' size check is not what is tested */
  ovf = test_printf ("%.*s%s", (int) (strstr (ovf, " ovf:size=") - ovf), ovf,
                   strstr (ovf, "\"/>") + 1);
  test_write_text ("web01.ovf", ovf);
  ot_read_fails (test_printf ("ovf:%s/web01.ovf", test_dir ()),
                 "outside the package", NULL);
}

int
main (void)
{
  test_init (true);
  ot_make_disk ("web01-disk1.vmdk", 8);
  test_run ("mkdir -p sub && cp web01-disk1.vmdk sub/");
  expect_fails (test_printf ("%s/web01-disk1.vmdk", test_dir ()));
  expect_fails ("../web01-disk1.vmdk");
  expect_fails ("sub/../../etc/passwd");
  expect_fails ("http://example.com/web01-disk1.vmdk");
  return 0;
}
