/* A streamOptimized image whose header says the grain directory is at the
 * end (gdOffset = GD_AT_END) is read through its footer. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  vt_make_stream ("d.vmdk");
  vt_stream_move_gd_to_footer ("d.vmdk");
  CHECK (test_read_le64 ("d.vmdk", VT_HDR_GD_OFFSET) == UINT64_MAX);
  test_compare_with_qemu ("d.vmdk", NULL);

  d = test_open ("d.vmdk");
  CHECK (d->size == 10 << 20);
  test_expect_bytes (d, 1 << 20, 64 << 10, 0xab);
  test_expect_bytes (d, 5 << 20, 100 << 10, 0xcd);
  test_expect_bytes (d, 0, 1 << 20, 0);
  disk_close (d);
  return 0;
}
