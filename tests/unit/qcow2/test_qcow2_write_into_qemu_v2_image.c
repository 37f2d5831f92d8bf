/* test_qcow2_write_into_qemu_v2_image: ferry overwrites and extends a compat=0.10 image made and filled by qemu; zeros are written, not flagged. */
#include "helpers.h"

int
main (void)
{
  const char *img;
  const uint64_t size = 8ULL << 20;
  uint8_t *mirror;
  size_t len;
  struct disk *d;

  test_init ();
  img = tpath ("v2.qcow2");
  RUN ("qemu-img create -q -f qcow2 -o compat=0.10,cluster_size=4096 '%s' 8M", img);
  qemu_io_pattern (img, "-f qcow2", size);
  RUN ("qemu-img convert -O raw '%s' '%s'", img, tpath ("start.raw"));
  mirror = read_whole_file (tpath ("start.raw"), &len);
  CHECK (len == size);
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  mirror_write_mix (d, mirror, size, 4096, 42);
  disk_close (d);
  verify_written (img, mirror, size);
  free (mirror);
  return 0;
}
