/* Both copies of the footer of a dynamic disk damaged, or the only footer
 * of a fixed disk: refused, saying what is wrong with each copy. */
#include "vhdtest.h"

int
main (void)
{
  uint64_t size;

  test_init (true);
  test_run ("qemu-img create -f vpc d.vhd 4M");
  size = test_file_size ("d.vhd");
  test_patch_be32 ("d.vhd", VHD_FOOTER_CHECKSUM, 0x12345678);
  test_patch_be32 ("d.vhd", size - 512 + VHD_FOOTER_CHECKSUM, 0x12345678);
  test_expect_open_fails ("d.vhd", NULL, 0,
                          "both copies of the footer are damaged");
  test_expect_open_fails ("d.vhd", NULL, 0, "checksum 0x12345678");

  test_run ("qemu-img create -f vpc -o subformat=fixed f.vhd 4M");
  size = test_file_size ("f.vhd");
  test_patch ("f.vhd", size - 512 + 100, "x", 1);
  test_expect_open_fails ("f.vhd", "vhd", 0, "footer");
  test_expect_open_fails ("f.vhd", "vhd", 0, "expected 0x");
  return 0;
}
