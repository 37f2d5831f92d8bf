/* test_qcow2_write_passes_qemu_img_check: writes into an image made by create (default 64 KiB clusters) pass qemu-img check and compare equal. */
#include "helpers.h"

int
main (void)
{
  test_init ();
  write_roundtrip (0, (64ULL << 20) + 3 * 512);
  return 0;
}
