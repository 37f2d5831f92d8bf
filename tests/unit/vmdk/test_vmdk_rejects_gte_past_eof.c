/* A grain table entry pointing past the end of the file fails the read
 * (not a crash, not garbage), naming the grain. */
#include "helpers.h"

int
main (void)
{
  uint64_t at;
  uint32_t gte;

  th_init (true);
  th_run ("qemu-img create -f vmdk d.vmdk 8M");
  th_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 64k' d.vmdk");
  at = th_gte_location ("d.vmdk", 16, &gte);
  CHECK (at != 0 && gte > 1);
  th_patch_le32 ("d.vmdk", at, UINT32_MAX);
  th_expect_read_fails ("d.vmdk", "grain 16 points past end of file");
  /* The last sector of the file: the grain would run past the end. */
  th_patch_le32 ("d.vmdk", at, (uint32_t) (th_file_size ("d.vmdk") / 512 - 1));
  th_expect_read_fails ("d.vmdk", "grain 16 points past end of file");
  return 0;
}
