/* Truncated files: a dynamic disk cut inside a data block (the footer at
 * the end is gone; the copy at offset 0 is used and the BAT entry of the
 * cut block points past the end), a fixed disk missing its footer, and a
 * file too short for any footer. */
#include "vhdtest.h"

int
main (void)
{
  test_init (true);
  test_run ("qemu-img create -f vpc d.vhd 8M");
  test_run ("qemu-io -f vpc -c 'write -P 1 2M 4k' d.vhd");
  test_truncate ("d.vhd", test_file_size ("d.vhd") - (1 << 20));
  test_expect_open_fails ("d.vhd", NULL, 0,
                          "BAT entry 1 points past end of file");

  test_run ("qemu-img create -f vpc -o subformat=fixed f.vhd 8M");
  test_truncate ("f.vhd", 4 << 20);
  test_expect_open_fails ("f.vhd", "vhd", 0, "not a VHD image");

  test_write_text ("tiny.vhd", "conectix");
  test_expect_open_fails ("tiny.vhd", NULL, 0, "too short");
  return 0;
}
