/* A truncated download: the disk member claims more bytes than the
 * archive holds.  The error says so instead of reading short. */
#include "ovatest.h"

int
main (void)
{
  test_init (true);
  ot_make_standard_ova ();
  test_truncate ("web01.ova", test_file_size ("web01.ova") - 64 * 1024);
  ot_read_fails (test_printf ("ova:%s/web01.ova", test_dir ()),
                 "past the end of the archive", NULL);
  return 0;
}
