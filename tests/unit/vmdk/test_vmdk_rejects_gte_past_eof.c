/* A grain table entry pointing past the end of the file fails the read
 * (not a crash, not garbage), naming the grain. */
#include "vmdktest.h"

int
main (void)
{
  uint64_t at;
  uint32_t gte;

  test_init (true);
  test_run ("qemu-img create -f vmdk d.vmdk 8M");
  test_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 64k' d.vmdk");
  at = vt_gte_location ("d.vmdk", 16, &gte);
  CHECK (at != 0 && gte > 1);
  test_patch_le32 ("d.vmdk", at, UINT32_MAX);
  test_expect_read_fails ("d.vmdk", "grain 16 points past end of file");
  /* The last sector of the file: the grain would run past the end. */
  test_patch_le32 ("d.vmdk", at, (uint32_t) (test_file_size ("d.vmdk") / 512 - 1));
  test_expect_read_fails ("d.vmdk", "grain 16 points past end of file");
  return 0;
}
