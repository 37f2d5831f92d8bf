/* test_qcow2_write_zero: zero marks whole clusters as zero (v3), keeps holes unallocated, and writes zeros for partial clusters. */
#include "helpers.h"

int
main (void)
{
  const char *img;
  const uint64_t size = 4ULL << 20, cs = 65536;
  struct disk_create_options o = { .size = size, .cluster_size = cs };
  uint8_t *mirror = calloc (1, size);
  struct disk *d;
  struct extent e;
  off_t before;
  struct stat st;

  test_init ();
  img = tpath ("zero.qcow2");
  CHECK (disk_create ("qcow2", img, &o) == 0);
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  mirror_write (d, mirror, 0, 8 * cs, 1);
  mirror_zero (d, mirror, 2 * cs, 3 * cs);         /* whole clusters over data */
  mirror_zero (d, mirror, 6 * cs + 10, 100);       /* partial */
  CHECK (disk_flush (d) == 0);
  CHECK (fstat (d->fd, &st) == 0);
  before = st.st_size;
  mirror_zero (d, mirror, 16 * cs, 16 * cs);       /* unallocated, no backing */
  CHECK (disk_block_status (d, 2 * cs, 3 * cs, &e) == 0);
  CHECK (e.type == EXTENT_ZERO && e.length == 3 * cs);
  CHECK (disk_block_status (d, 16 * cs, 16 * cs, &e) == 0);
  CHECK (e.type == EXTENT_UNALLOCATED && e.length == 16 * cs);
  CHECK (disk_block_status (d, 6 * cs, cs, &e) == 0);
  CHECK (e.type == EXTENT_DATA);
  disk_close (d);
  CHECK (stat (img, &st) == 0 && st.st_size == before);
  verify_written (img, mirror, size);
  compare_map_with_qemu (img, true);
  free (mirror);
  return 0;
}
