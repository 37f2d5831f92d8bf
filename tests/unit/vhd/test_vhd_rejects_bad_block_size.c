/* Block sizes of 0, not a power of two, and larger than 256 MiB are
 * refused (with a valid header checksum, so the field itself is what is
 * checked). */
#include "vhdtest.h"

int
main (void)
{
  static const uint32_t bad[] = { 0, 256, 3 << 9, (2 << 20) + 512,
                                  512u << 20, 0x80000000u };

  test_init (true);
  test_run ("qemu-img create -f vpc d.vhd 8M");
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    test_patch_be32 ("d.vhd", VHD_HEADER_AT + VHD_HEADER_BLOCK_SIZE, bad[i]);
    vhdgen_fix_header_checksum ("d.vhd");
    test_expect_open_fails ("d.vhd", NULL, 0, "block size");
  }
  return 0;
}
