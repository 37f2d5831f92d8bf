/* test_qcow2_rejects_compressed_past_eof: a compressed descriptor pointing past the end of the file fails the read. */
#include "helpers.h"

int
main (void)
{
  const char *img;

  test_init ();
  img = tpath ("hostile.qcow2");
  make_small_image (img);
  /* 4 KiB clusters: x = 58, offset in bits 0-57 */
  patch_be64 (img, l2_table_offset (img), (1ULL << 62) | (3ULL << 58) | (1ULL << 40));
  expect_read_fails (img, "compressed cluster points past end of file");
  return 0;
}
