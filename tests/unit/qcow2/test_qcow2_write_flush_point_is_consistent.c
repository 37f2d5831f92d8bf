/* test_qcow2_write_flush_point_is_consistent: a copy of the file taken right after flush (as if killed then) is clean and holds the flushed data. */
#include "helpers.h"

int
main (void)
{
  const char *img, *copy;
  const uint64_t size = 16ULL << 20;
  struct disk_create_options o = { .size = size, .cluster_size = 4096 };
  uint8_t *mirror = calloc (1, size);
  struct disk *d;
  int r;

  test_init ();
  img = tpath ("live.qcow2");
  copy = tpath ("copy.qcow2");
  CHECK (disk_create ("qcow2", img, &o) == 0);
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  mirror_write_mix (d, mirror, size, 4096, 9);
  CHECK (disk_flush (d) == 0);
  RUN ("cp '%s' '%s'", img, copy);
  verify_written (copy, mirror, size);
  /* more writes, not flushed: a copy now may leak, never be corrupt */
  for (uint64_t off = 0; off < size; off += 1 << 20)
    mirror_write (d, mirror, off + 4096, 100000, off);
  RUN ("cp '%s' '%s'", img, copy);
  r = qemu_img_check (copy);
  if (r != 0 && r != 3)
    FAIL ("unflushed copy: qemu-img check gave %d", r);
  disk_close (d);
  verify_written (img, mirror, size);
  free (mirror);
  return 0;
}
