/* test_qcow2_write_passes_qemu_img_check: writes into an image made by create (default 64 KiB clusters) pass qemu-img check and compare equal. */
#include "qcow2test.h"

int
main (void)
{
  qt_write_case (0, (64ULL << 20) + 3 * 512);
  return 0;
}
