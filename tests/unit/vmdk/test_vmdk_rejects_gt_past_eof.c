/* A grain directory entry pointing past the end of the file names the
 * grain table and the offsets involved. */
#include "helpers.h"

int
main (void)
{
  uint64_t size;
  char want[128];

  th_init (true);
  th_run ("qemu-img create -f vmdk d.vmdk 100M");
  size = th_file_size ("d.vmdk");
  th_patch_le32 ("d.vmdk", th_gd_entry_location ("d.vmdk", 3),
                 (uint32_t) (size / 512 + 7));
  snprintf (want, sizeof want, "grain table 3 points past end of file "
            "(offset %" PRIu64 ", size %" PRIu64 ")", (size / 512 + 7) * 512,
            size);
  th_expect_open_fails ("d.vmdk", NULL, want);
  th_patch_le32 ("d.vmdk", th_gd_entry_location ("d.vmdk", 3), UINT32_MAX);
  th_expect_open_fails ("d.vmdk", NULL, "grain table 3");
  return 0;
}
