/* A grain directory offset beyond the end of the file is refused at open. */
#include "helpers.h"

int
main (void)
{
  uint64_t size;

  th_init (true);
  th_run ("qemu-img create -f vmdk d.vmdk 8M");
  size = th_file_size ("d.vmdk");
  th_patch_le64 ("d.vmdk", TH_HDR_GD_OFFSET, size / 512 + 100);
  th_expect_open_fails ("d.vmdk", NULL, "grain directory");
  th_patch_le64 ("d.vmdk", TH_HDR_GD_OFFSET, UINT64_MAX / 256);
  th_expect_open_fails ("d.vmdk", NULL, "past end of file");
  return 0;
}
