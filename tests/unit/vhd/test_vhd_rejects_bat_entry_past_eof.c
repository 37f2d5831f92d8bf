/* A BAT entry pointing past the end of the file is refused at open, with
 * the entry and the file size in the message. */
#include "vhdtest.h"

int
main (void)
{
  uint64_t bat;

  test_init (true);
  test_run ("qemu-img create -f vpc d.vhd 8M");
  test_run ("qemu-io -f vpc -c 'write -P 1 0 4k' d.vhd");
  bat = test_read_be64 ("d.vhd", VHD_HEADER_AT + VHD_HEADER_TABLE_OFFSET);
  test_patch_be32 ("d.vhd", bat + 4 * 3, 123456);
  test_expect_open_fails ("d.vhd", NULL, 0,
                          "BAT entry 3 points past end of file (sector "
                          "123456, file size");
  /* the block fits, but not its bitmap and data */
  test_patch_be32 ("d.vhd", bat + 4 * 3, test_file_size ("d.vhd") / 512 - 2);
  test_expect_open_fails ("d.vhd", NULL, 0, "BAT entry 3 points past end");
  return 0;
}
