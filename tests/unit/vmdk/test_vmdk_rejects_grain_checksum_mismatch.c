/* A compressed grain whose zlib Adler-32 trailer does not match its data is
 * refused: the deflate blocks alone would inflate, but to the wrong bytes. */
#include "vmdktest.h"

int
main (void)
{
  uint64_t at;
  uint32_t size;
  uint8_t last;

  test_init (true);
  vt_make_stream ("d.vmdk");
  /* Grain 16 is the 64 KiB of 0xab at 1 MiB: marker, then `size` bytes of
   * zlib stream whose last four bytes are the checksum. */
  at = vt_grain_sector ("d.vmdk", 16) * 512;
  size = test_read_le32 ("d.vmdk", at + 8);
  CHECK (size > 6);
  test_read_at ("d.vmdk", at + 12 + size - 1, &last, 1);
  last ^= 0x01;
  test_patch ("d.vmdk", at + 12 + size - 1, &last, 1);
  test_expect_read_fails ("d.vmdk", "compressed grain 16");
  return 0;
}
