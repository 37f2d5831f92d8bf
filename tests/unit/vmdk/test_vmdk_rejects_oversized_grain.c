/* A compressed grain that inflates to more than one grain is refused
 * rather than written past the caller's buffer. */
#include <zlib.h>

#include "vmdktest.h"

int
main (void)
{
  static uint8_t zeros[128 * 1024];
  uint8_t packed[1024];
  uLongf packed_len = sizeof packed;
  uint64_t at;

  test_init (true);
  vt_make_stream ("d.vmdk");
  /* Grain 16 (64 KiB of 0xab) becomes a zlib stream of 128 KiB of zeros,
   * which fits in the marker's sector (grains start on sector bounds). */
  CHECK (compress (packed, &packed_len, zeros, sizeof zeros) == Z_OK);
  at = vt_grain_sector ("d.vmdk", 16) * 512;
  CHECK (12 + packed_len <= 512);
  test_patch_le32 ("d.vmdk", at + 8, packed_len);
  test_patch ("d.vmdk", at + 12, packed, packed_len);
  test_expect_read_fails ("d.vmdk", "more than the grain size");
  return 0;
}
