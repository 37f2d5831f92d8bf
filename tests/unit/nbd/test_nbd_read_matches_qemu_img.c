/* A qcow2 image served by qemu-nbd reads through the NBD disk exactly as
 * `qemu-img convert -O raw` reads the image, piece by piece and extent by
 * extent, and a read longer than the server's largest request (32 MiB for
 * qemu-nbd) is split rather than refused. */
#include "nbdtest.h"

int
main (void)
{
  const char *uri;
  struct disk *d;
  uint8_t *buf;

  nt_init ();
  nt_make_image ();
  test_run ("qemu-img convert -f qcow2 -O raw test.qcow2 test.raw");
  uri = nt_serve_qemu ("nbd.sock", "test.qcow2", NULL);
  d = nt_open (uri, NULL);
  CHECK (d->size == NT_SIZE);
  CHECK (d->fd == -1 && strcmp (d->driver->name, "nbd") == 0);
  test_expect_extents_tile (d);
  test_compare_disk_with_raw ("test.qcow2 over NBD", d, "test.raw");

  /* [16M, +40M) in one read: more than qemu-nbd takes in one request */
  buf = malloc (40u << 20);
  CHECK (buf != NULL);
  CHECK (disk_pread_layer (d, 0, buf, 40u << 20, 16ull << 20) == 0);
  for (size_t i = 0; i < (40u << 20); i++)
    if (buf[i] != 0x33)
      FAIL ("byte %zu of the 40 MiB read is 0x%02x", i, buf[i]);
  free (buf);
  disk_close (d);
  return 0;
}
