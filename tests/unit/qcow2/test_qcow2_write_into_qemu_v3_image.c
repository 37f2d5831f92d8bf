/* test_qcow2_write_into_qemu_v3_image: ferry overwrites a v3 image written by qemu (zero clusters included) in place and appends new clusters. */
#include "qcow2test.h"

int
main (void)
{
  const uint64_t size = 16ULL << 20;
  uint8_t *mirror;
  struct disk *d;

  test_init (true);
  qt_make_pattern_image ("cluster_size=65536", size);
  test_run ("qemu-io -f qcow2 -c 'write -z 131072 131072' -c 'write -z -u 0 65536' test.qcow2 >/dev/null");
  mirror = qt_guest_bytes ("test.qcow2", size);
  d = qt_open_write ("test.qcow2");
  /* partial writes into zero clusters: the rest must stay zero */
  qt_mirror_write (d, mirror, 131072 + 1000, 2000, 1);
  qt_mirror_write (d, mirror, 100, 200, 2);
  qt_mirror_write_mix (d, mirror, size, 65536, 43);
  disk_close (d);
  qt_verify_written ("test.qcow2", mirror, size);
  free (mirror);
  return 0;
}
