/* test_vhdx_rejects_unknown_required_metadata: a metadata item the
 * driver does not know, with IsRequired set, is refused with a clear
 * message; without IsRequired it is ignored. */
#include "vhdxtest.h"

static void
add_item (const char *name, uint32_t flags)
{
  static const uint8_t guid[16] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xb0, 0xb1, 0xc0,
                                    0xc1, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5,
                                    0xd6, 0xd7 };
  uint64_t m = VHDXGEN_METADATA_OFFSET;
  uint16_t n = test_read_le16 (name, m + 10);
  uint64_t e = m + 32 + 32 * n;

  test_patch_le16 (name, m + 10, n + 1);
  test_patch (name, e, guid, 16);
  test_patch_le32 (name, e + 16, 512 * 1024);
  test_patch_le32 (name, e + 20, 8);
  test_patch_le32 (name, e + 24, flags);
}

int
main (void)
{
  struct disk *d;

  test_init (false);
  vx_make_small ("opt.vhdx");
  add_item ("opt.vhdx", 2);                  /* IsVirtualDisk only */
  d = test_open ("opt.vhdx");
  test_expect_bytes (d, 0, 4096, 0xd1);
  disk_close (d);

  vx_make_small ("req.vhdx");
  add_item ("req.vhdx", 4);                  /* IsRequired */
  test_expect_open_fails ("req.vhdx", NULL, 0,
                          "unknown metadata item A3A2A1A0-B1B0-C1C0-D0D1-"
                          "D2D3D4D5D6D7 is marked required");
  return 0;
}
