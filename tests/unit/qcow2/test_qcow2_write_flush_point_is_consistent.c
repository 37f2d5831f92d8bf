/* test_qcow2_write_flush_point_is_consistent: a copy of the file taken right after flush (as if killed then) is clean and holds the flushed data. */
#include "qcow2test.h"

int
main (void)
{
  const uint64_t size = 16ULL << 20;
  uint8_t *mirror = calloc (1, size);
  struct disk *d;
  int r;

  test_init (true);
  qt_create ("live.qcow2", size, 4096);
  d = qt_open_write ("live.qcow2");
  qt_mirror_write_mix (d, mirror, size, 4096, 9);
  CHECK (disk_flush (d) == 0);
  test_run ("cp live.qcow2 copy.qcow2");
  qt_verify_written ("copy.qcow2", mirror, size);
  /* more writes, not flushed: a copy now may leak, never be corrupt */
  for (uint64_t off = 0; off < size; off += 1 << 20)
    qt_mirror_write (d, mirror, off + 4096, 100000, off);
  test_run ("cp live.qcow2 copy.qcow2");
  r = qt_check ("copy.qcow2");
  if (r != 0 && r != 3)
    FAIL ("unflushed copy: qemu-img check gave %d", r);
  disk_close (d);
  qt_verify_written ("live.qcow2", mirror, size);
  free (mirror);
  return 0;
}
