/* test_vhdx_rejects_bad_header_checksums: with both headers' CRC-32C
 * wrong the file is refused, saying why for each header; with only the
 * current header (sequence 2) damaged, the older one is used. */
#include "vhdxtest.h"

int
main (void)
{
  struct disk *d;
  json_t *info;

  test_init (false);
  vx_make_small ("h.vhdx");
  test_patch_le32 ("h.vhdx", VHDXGEN_HEADER2 + 100, 0xdeadbeef);
  d = test_open ("h.vhdx");
  info = json_object ();
  CHECK (d->driver->info (d, info) == 0);
  CHECK (json_integer_value (json_object_get (info, "header-sequence")) == 1);
  json_decref (info);
  test_expect_bytes (d, 0, 4096, 0xd1);
  disk_close (d);

  test_patch_le32 ("h.vhdx", VHDXGEN_HEADER1 + 100, 0xdeadbeef);
  test_expect_open_fails ("h.vhdx", NULL, 0,
                          "no valid header (header 1: bad checksum; "
                          "header 2: bad checksum)");
  return 0;
}
