/* test_qcow2_write_grows_refcount_table: writing past what qemu-img's one-cluster refcount table covers grows it correctly. */
#include "helpers.h"

int
main (void)
{
  const char *img;
  const uint64_t size = 24ULL << 20;
  uint8_t *mirror = calloc (1, size);
  struct disk *d;

  test_init ();
  img = tpath ("grow.qcow2");
  /* 512-byte clusters: a one-cluster refcount table covers 8 MiB. */
  RUN ("qemu-img create -q -f qcow2 -o cluster_size=512 '%s' %" PRIu64, img, size);
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  for (uint64_t off = 0; off < size; off += 1 << 20)
    mirror_write (d, mirror, off, 1 << 20, off);
  disk_close (d);
  CHECK (read_be64_at (img, 48) != 512 || (read_be64_at (img, 56) >> 32) > 1);
  verify_written (img, mirror, size);
  free (mirror);
  return 0;
}
