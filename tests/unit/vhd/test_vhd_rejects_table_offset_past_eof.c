/* A BAT offset at or past the end of the file, or so large that adding
 * the table's size overflows, is refused. */
#include "vhdtest.h"

int
main (void)
{
  test_init (true);
  test_run ("qemu-img create -f vpc d.vhd 8M");
  test_patch_be64 ("d.vhd", VHD_HEADER_AT + VHD_HEADER_TABLE_OFFSET,
                   test_file_size ("d.vhd"));
  vhdgen_fix_header_checksum ("d.vhd");
  test_expect_open_fails ("d.vhd", NULL, 0, "BAT");
  test_expect_open_fails ("d.vhd", NULL, 0, "past end of file");
  test_patch_be64 ("d.vhd", VHD_HEADER_AT + VHD_HEADER_TABLE_OFFSET,
                   UINT64_MAX - 2);
  vhdgen_fix_header_checksum ("d.vhd");
  test_expect_open_fails ("d.vhd", NULL, 0, "past end of file");
  return 0;
}
