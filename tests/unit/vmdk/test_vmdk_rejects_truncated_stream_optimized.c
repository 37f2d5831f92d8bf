/* A streamOptimized image cut short loses its footer: opening says so. */
#include "vmdktest.h"

int
main (void)
{
  test_init (true);
  vt_make_stream ("d.vmdk");
  vt_stream_move_gd_to_footer ("d.vmdk");
  test_truncate ("d.vmdk", test_file_size ("d.vmdk") / 2);
  test_expect_open_fails ("d.vmdk", NULL, 0, "truncated");
  /* Cut to the header alone. */
  test_truncate ("d.vmdk", 512);
  test_expect_open_fails ("d.vmdk", NULL, 0, "truncated");
  return 0;
}
