/* An OVA compressed as a whole (web01.ova.gz, or gzip'd under the .ova
 * name) cannot be read in place: the error says it is compressed. */
#include "ovatest.h"

int
main (void)
{
  test_init (true);
  ot_make_standard_ova ();
  test_run ("gzip -k web01.ova && cp web01.ova.gz web01-gz.ova");
  ot_read_fails (test_printf ("ova:%s/web01.ova.gz", test_dir ()),
                 "compressed (gzip)", NULL);
  ot_read_fails (test_printf ("ova:%s/web01-gz.ova", test_dir ()),
                 "compressed (gzip)", NULL);
  return 0;
}
