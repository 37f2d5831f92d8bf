/* test_qcow2_write_allocates_contiguously: one large write over unallocated clusters lands in one host-contiguous run. */
#include "qcow2test.h"

int
main (void)
{
  const uint64_t size = 64ULL << 20;
  uint8_t *mirror = calloc (1, size);
  struct disk *d;

  test_init (true);
  qt_create ("contig.qcow2", size, 65536);
  d = qt_open_write ("contig.qcow2");
  qt_mirror_write (d, mirror, 8 << 20, 8 << 20, 5);
  disk_close (d);
  /* qemu-img map merges host-contiguous data: exactly one data entry */
  test_run ("test $(qemu-img map --output=json contig.qcow2 | grep -c '\"data\": true') = 1");
  test_run ("qemu-img map --output=json contig.qcow2 | grep '\"data\": true' | grep -q '\"length\": 8388608'");
  qt_verify_written ("contig.qcow2", mirror, size);
  free (mirror);
  return 0;
}
