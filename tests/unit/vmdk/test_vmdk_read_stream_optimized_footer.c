/* A streamOptimized image whose header says the grain directory is at the
 * end (gdOffset = GD_AT_END) is read through its footer. */
#include "stream.h"

int
main (void)
{
  struct disk *d;

  th_init (true);
  th_make_stream ("d.vmdk");
  th_stream_move_gd_to_footer ("d.vmdk");
  CHECK (th_read_le64 ("d.vmdk", TH_HDR_GD_OFFSET) == UINT64_MAX);
  th_compare_with_qemu ("d.vmdk");

  d = th_open ("d.vmdk");
  CHECK (d->size == 10 << 20);
  th_expect_bytes (d, 1 << 20, 64 << 10, 0xab);
  th_expect_bytes (d, 5 << 20, 100 << 10, 0xcd);
  th_expect_bytes (d, 0, 1 << 20, 0);
  disk_close (d);
  return 0;
}
