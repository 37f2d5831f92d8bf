/* test_qcow2_write_allocates_contiguously: one large write over unallocated clusters lands in one host-contiguous run. */
#include "helpers.h"

int
main (void)
{
  const char *img;
  const uint64_t size = 64ULL << 20;
  struct disk_create_options o = { .size = size, .cluster_size = 65536 };
  uint8_t *mirror = calloc (1, size);
  struct disk *d;

  test_init ();
  img = tpath ("contig.qcow2");
  CHECK (disk_create ("qcow2", img, &o) == 0);
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  mirror_write (d, mirror, 8 << 20, 8 << 20, 5);
  disk_close (d);
  /* qemu-img map merges host-contiguous data: exactly one data entry */
  RUN ("test $(qemu-img map --output=json '%s' | grep -c '\"data\": true') = 1", img);
  RUN ("qemu-img map --output=json '%s' | grep '\"data\": true' | grep -q '\"length\": 8388608'", img);
  verify_written (img, mirror, size);
  free (mirror);
  return 0;
}
