/* A compressed grain whose deflate stream is damaged gives a zlib error. */
#include "vmdktest.h"

int
main (void)
{
  uint64_t sector;
  uint8_t junk[32];

  test_init (true);
  vt_make_stream ("d.vmdk");
  sector = vt_grain_sector ("d.vmdk", 80);
  memset (junk, 0xff, sizeof junk);
  /* Keep the 2-byte zlib header, wreck the deflate blocks. */
  test_patch ("d.vmdk", sector * 512 + 12 + 2, junk, sizeof junk);
  test_expect_read_fails ("d.vmdk", "compressed grain 80");
  return 0;
}
