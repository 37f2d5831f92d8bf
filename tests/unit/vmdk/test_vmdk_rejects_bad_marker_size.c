/* A compressed grain marker whose size field is absurd, zero, or runs past
 * the end of the file is refused with a message, never read. */
#include "stream.h"

int
main (void)
{
  uint32_t gte;
  static const uint32_t sizes[] = { 0x7fffffff, 0, 200000, 0xffffffff };
  uint64_t file_size;

  th_init (true);
  th_make_stream ("d.vmdk");
  CHECK (th_gte_location ("d.vmdk", 16, &gte) != 0 && gte > 1);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    th_run ("cp d.vmdk bad.vmdk");
    th_patch_le32 ("bad.vmdk", (uint64_t) gte * 512 + 8, sizes[i]);
    th_expect_read_fails ("bad.vmdk", "bad size");
  }
  /* A plausible size that runs past the end of the file. */
  file_size = th_file_size ("d.vmdk");
  th_run ("cp d.vmdk bad.vmdk");
  th_patch_le32 ("bad.vmdk", (uint64_t) gte * 512 + 8,
                 (uint32_t) (file_size - (uint64_t) gte * 512));
  th_expect_read_fails ("bad.vmdk", "runs past end of file");
  /* A marker naming another LBA than the grain it stands for. */
  th_run ("cp d.vmdk bad.vmdk");
  th_patch_le64 ("bad.vmdk", (uint64_t) gte * 512, 12345);
  th_expect_read_fails ("bad.vmdk", "marked for sector 12345");
  return 0;
}
