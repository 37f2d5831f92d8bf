/* The mover copies a disk read over NBD into a new qcow2 image with
 * several workers at once (over several connections, qemu-nbd offering
 * multi-conn), and qemu-img compare finds the copy identical to the
 * image qemu-nbd serves. */
#include "copy/copy.h"
#include "nbdtest.h"

int
main (void)
{
  struct disk_create_options create = { .size = NT_SIZE };
  struct copy_options opts = { .workers = 4, .target_is_zero = true,
                               .request_size = 1u << 20 };
  struct copy_stats stats;
  struct disk *src, *dst;
  const char *uri;
  char *dst_path;

  nt_init ();
  nt_make_image ();
  uri = nt_serve_qemu ("nbd.sock", "test.qcow2", NULL);
  src = nt_open (uri, NULL);
  dst_path = test_path ("copy.qcow2");
  CHECK (disk_create ("qcow2", dst_path, &create) == 0);
  dst = disk_open (dst_path, "qcow2", DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  CHECK (copy_disk (src, dst, &opts, &stats) == 0);
  CHECK (stats.workers == 4);
  CHECK (stats.bytes_read >= range_bytes (nt_data, NT_NR (nt_data)));
  CHECK (stats.bytes_read < NT_SIZE / 2);
  disk_close (dst);
  disk_close (src);
  test_run ("qemu-img compare -f qcow2 -F qcow2 test.qcow2 copy.qcow2");
  free (dst_path);
  return 0;
}
