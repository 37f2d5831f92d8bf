/* A grain directory offset beyond the end of the file is refused at open. */
#include "vmdktest.h"

int
main (void)
{
  uint64_t size;

  test_init (true);
  test_run ("qemu-img create -f vmdk d.vmdk 8M");
  size = test_file_size ("d.vmdk");
  test_patch_le64 ("d.vmdk", VT_HDR_GD_OFFSET, size / 512 + 100);
  test_expect_open_fails ("d.vmdk", NULL, 0, "grain directory");
  test_patch_le64 ("d.vmdk", VT_HDR_GD_OFFSET, UINT64_MAX / 256);
  test_expect_open_fails ("d.vmdk", NULL, 0, "past end of file");
  return 0;
}
