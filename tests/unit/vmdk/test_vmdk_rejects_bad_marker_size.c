/* A compressed grain marker whose size field is absurd, zero, or runs past
 * the end of the file is refused with a message, never read. */
#include "vmdktest.h"

int
main (void)
{
  uint64_t sector;
  static const uint32_t sizes[] = { 0x7fffffff, 0, 200000, 0xffffffff };
  uint64_t file_size;

  test_init (true);
  vt_make_stream ("d.vmdk");
  sector = vt_grain_sector ("d.vmdk", 16);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    test_run ("cp d.vmdk bad.vmdk");
    test_patch_le32 ("bad.vmdk", sector * 512 + 8, sizes[i]);
    test_expect_read_fails ("bad.vmdk", "bad size");
  }
  /* A plausible size that runs past the end of the file. */
  file_size = test_file_size ("d.vmdk");
  test_run ("cp d.vmdk bad.vmdk");
  test_patch_le32 ("bad.vmdk", sector * 512 + 8,
                 (uint32_t) (file_size - sector * 512));
  test_expect_read_fails ("bad.vmdk", "runs past end of file");
  /* A marker naming another LBA than the grain it stands for. */
  test_run ("cp d.vmdk bad.vmdk");
  test_patch_le64 ("bad.vmdk", sector * 512, 12345);
  test_expect_read_fails ("bad.vmdk", "marked for sector 12345");
  return 0;
}
