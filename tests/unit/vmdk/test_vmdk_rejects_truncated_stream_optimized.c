/* A streamOptimized image cut short loses its footer: opening says so. */
#include "stream.h"

int
main (void)
{
  th_init (true);
  th_make_stream ("d.vmdk");
  th_stream_move_gd_to_footer ("d.vmdk");
  th_truncate ("d.vmdk", th_file_size ("d.vmdk") / 2);
  th_expect_open_fails ("d.vmdk", NULL, "truncated");
  /* Cut to the header alone. */
  th_truncate ("d.vmdk", 512);
  th_expect_open_fails ("d.vmdk", NULL, "truncated");
  return 0;
}
