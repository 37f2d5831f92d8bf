/* test_qcow2_write_into_qemu_v2_image: ferry overwrites and extends a compat=0.10 image made and filled by qemu; zeros are written, not flagged. */
#include "qcow2test.h"

int
main (void)
{
  const uint64_t size = 8ULL << 20;
  uint8_t *mirror;
  struct disk *d;

  test_init (true);
  qt_make_pattern_image ("compat=0.10,cluster_size=4096", size);
  mirror = qt_guest_bytes ("test.qcow2", size);
  d = qt_open_write ("test.qcow2");
  qt_mirror_write_mix (d, mirror, size, 4096, 42);
  disk_close (d);
  qt_verify_written ("test.qcow2", mirror, size);
  free (mirror);
  return 0;
}
