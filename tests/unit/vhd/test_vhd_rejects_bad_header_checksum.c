/* A dynamic header whose checksum does not match (QEMU does not check
 * it) is refused, naming both values. */
#include "vhdtest.h"

int
main (void)
{
  test_init (true);
  test_run ("qemu-img create -f vpc d.vhd 4M");
  test_patch_be32 ("d.vhd", VHD_HEADER_AT + VHD_HEADER_BLOCK_SIZE, 1 << 20);
  test_expect_open_fails ("d.vhd", NULL, 0,
                          "dynamic disk header checksum mismatch");
  test_patch ("d.vhd", VHD_HEADER_AT, "cxsporse", 8);
  vhdgen_fix_header_checksum ("d.vhd");
  test_expect_open_fails ("d.vhd", NULL, 0, "no dynamic disk header");
  return 0;
}
