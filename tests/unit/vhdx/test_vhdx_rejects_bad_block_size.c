/* test_vhdx_rejects_bad_block_size: block sizes the spec forbids (0, not
 * a power of two, under 1 MiB, over 256 MiB) are refused clearly. */
#include "vhdxtest.h"

int
main (void)
{
  static const uint32_t bad[] = { 0, 3 << 20, 512 << 10, 512u << 20,
                                  0x80000000u };

  test_init (false);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    vx_make_small ("b.vhdx");
    /* the File Parameters item is the first, at 64 KiB in the region */
    test_patch_le32 ("b.vhdx", VHDXGEN_METADATA_OFFSET + 65536, bad[i]);
    test_expect_open_fails ("b.vhdx", NULL, 0, "is not a power of two "
                            "between 1 MiB and 256 MiB");
  }
  return 0;
}
