/* test_qcow2_write_into_qemu_v3_image: ferry overwrites a v3 image written by qemu (zero clusters included) in place and appends new clusters. */
#include "helpers.h"

int
main (void)
{
  const char *img;
  const uint64_t size = 16ULL << 20;
  uint8_t *mirror;
  size_t len;
  struct disk *d;

  test_init ();
  img = tpath ("v3.qcow2");
  RUN ("qemu-img create -q -f qcow2 -o cluster_size=65536 '%s' 16M", img);
  qemu_io_pattern (img, "-f qcow2", size);
  RUN ("qemu-io -f qcow2 -c 'write -z 131072 131072' -c 'write -z -u 0 65536' '%s' >/dev/null", img);
  RUN ("qemu-img convert -O raw '%s' '%s'", img, tpath ("start.raw"));
  mirror = read_whole_file (tpath ("start.raw"), &len);
  CHECK (len == size);
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  /* partial writes into zero clusters: the rest must stay zero */
  mirror_write (d, mirror, 131072 + 1000, 2000, 1);
  mirror_write (d, mirror, 100, 200, 2);
  mirror_write_mix (d, mirror, size, 65536, 43);
  disk_close (d);
  verify_written (img, mirror, size);
  free (mirror);
  return 0;
}
