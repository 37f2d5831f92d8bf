/* A grain directory entry pointing past the end of the file names the
 * grain table and the offsets involved. */
#include "vmdktest.h"

int
main (void)
{
  uint64_t size;
  char want[128];

  test_init (true);
  test_run ("qemu-img create -f vmdk d.vmdk 100M");
  size = test_file_size ("d.vmdk");
  test_patch_le32 ("d.vmdk", vt_gd_entry_location ("d.vmdk", 3),
                 (uint32_t) (size / 512 + 7));
  snprintf (want, sizeof want, "grain table 3 points past end of file "
            "(offset %" PRIu64 ", size %" PRIu64 ")", (size / 512 + 7) * 512,
            size);
  test_expect_open_fails ("d.vmdk", NULL, 0, want);
  test_patch_le32 ("d.vmdk", vt_gd_entry_location ("d.vmdk", 3), UINT32_MAX);
  test_expect_open_fails ("d.vmdk", NULL, 0, "grain table 3");
  return 0;
}
