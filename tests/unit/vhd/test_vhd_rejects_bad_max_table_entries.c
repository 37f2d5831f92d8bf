/* A BAT too small for the disk, or absurdly large (running far past the
 * end of the file), is refused before anything is allocated for it. */
#include "vhdtest.h"

int
main (void)
{
  test_init (true);
  test_run ("qemu-img create -f vpc d.vhd 8M");
  test_patch_be32 ("d.vhd", VHD_HEADER_AT + VHD_HEADER_MAX_TABLE_ENTRIES, 1);
  vhdgen_fix_header_checksum ("d.vhd");
  test_expect_open_fails ("d.vhd", NULL, 0, "too few");
  test_patch_be32 ("d.vhd", VHD_HEADER_AT + VHD_HEADER_MAX_TABLE_ENTRIES,
                   0xffffffff);
  vhdgen_fix_header_checksum ("d.vhd");
  test_expect_open_fails ("d.vhd", NULL, 0, "runs past end of file");
  return 0;
}
