/* test_vhdx_rejects_bad_region_tables: a damaged first region table
 * falls back to the copy at 256 KiB; with both damaged the file is
 * refused. */
#include "vhdxtest.h"

int
main (void)
{
  struct disk *d;

  test_init (false);
  vx_make_small ("r.vhdx");
  test_patch_le32 ("r.vhdx", VHDXGEN_REGION1 + 5000, 1);
  d = test_open ("r.vhdx");
  test_expect_bytes (d, 2 << 20, 4096, 0xd2);
  disk_close (d);
  test_patch_le32 ("r.vhdx", VHDXGEN_REGION2, 0);
  test_expect_open_fails ("r.vhdx", NULL, 0,
                          "no valid region table (region table 1: bad "
                          "checksum; region table 2: no \"regi\" signature)");
  return 0;
}
