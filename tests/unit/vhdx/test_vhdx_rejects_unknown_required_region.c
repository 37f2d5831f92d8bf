/* test_vhdx_rejects_unknown_required_region: a region the driver does
 * not know, marked Required, is refused with a clear message; the same
 * region not marked required is ignored. */
#include "vhdxtest.h"

static void
add_region (const char *name, uint32_t required)
{
  static const uint8_t guid[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
                                    0xff, 0x01 };
  for (int t = 0; t < 2; t++) {
    uint64_t at = t ? VHDXGEN_REGION2 : VHDXGEN_REGION1;
    uint64_t e = at + 16 + 32 * 2;
    test_patch_le32 (name, at + 8, 3);
    test_patch (name, e, guid, 16);
    test_patch_le64 (name, e + 16, 4 << 20);
    test_patch_le32 (name, e + 24, 1 << 20);
    test_patch_le32 (name, e + 28, required);
    vhdxgen_fix_region_checksum (name, at);
  }
}

int
main (void)
{
  struct disk *d;

  test_init (false);
  vx_make_small ("opt.vhdx");
  add_region ("opt.vhdx", 0);
  d = test_open ("opt.vhdx");
  test_expect_bytes (d, 0, 4096, 0xd1);
  disk_close (d);

  vx_make_small ("req.vhdx");
  add_region ("req.vhdx", 1);
  test_expect_open_fails ("req.vhdx", NULL, 0,
                          "unknown region 44332211-6655-8877-99AA-"
                          "BBCCDDEEFF01 marked required");
  return 0;
}
