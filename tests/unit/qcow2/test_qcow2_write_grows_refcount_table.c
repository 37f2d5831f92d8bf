/* test_qcow2_write_grows_refcount_table: writing past what qemu-img's one-cluster refcount table covers grows it correctly. */
#include "qcow2test.h"

int
main (void)
{
  const uint64_t size = 24ULL << 20;
  uint8_t *mirror = calloc (1, size);
  struct disk *d;

  test_init (true);
  /* 512-byte clusters: a one-cluster refcount table covers 8 MiB. */
  test_run ("qemu-img create -q -f qcow2 -o cluster_size=512 grow.qcow2 %" PRIu64, size);
  d = qt_open_write ("grow.qcow2");
  for (uint64_t off = 0; off < size; off += 1 << 20)
    qt_mirror_write (d, mirror, off, 1 << 20, off);
  disk_close (d);
  CHECK (test_read_be64 ("grow.qcow2", 48) != 512
         || (test_read_be64 ("grow.qcow2", 56) >> 32) > 1);
  qt_verify_written ("grow.qcow2", mirror, size);
  free (mirror);
  return 0;
}
