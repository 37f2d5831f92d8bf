/* test_qcow2_write_backing_copy_on_write: partial writes into unallocated clusters copy the rest from the backing file; whole-cluster zeros hide it. */
#include "helpers.h"

int
main (void)
{
  const char *base, *top;
  const uint64_t size = 4ULL << 20, cs = 65536;
  struct disk_create_options o = { .size = size, .cluster_size = cs,
                                   .backing_file = "base.qcow2", .backing_format = "qcow2" };
  uint8_t *mirror;
  size_t len;
  struct disk *d;

  test_init ();
  base = tpath ("base.qcow2");
  top = tpath ("top.qcow2");
  /* a smaller backing file: past its end the guest reads zeros */
  RUN ("qemu-img create -q -f qcow2 '%s' 3M", base);
  RUN ("qemu-io -f qcow2 -c 'write -P 0x61 0 3M' '%s' >/dev/null", base);
  CHECK (disk_create ("qcow2", top, &o) == 0);
  RUN ("qemu-img convert -O raw '%s' '%s'", top, tpath ("start.raw"));
  mirror = read_whole_file (tpath ("start.raw"), &len);
  CHECK (len == size);
  d = disk_open (top, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL && d->backing != NULL);
  mirror_write (d, mirror, 1000, 3000, 1);               /* COW head+tail */
  mirror_write (d, mirror, 3 * cs - 100, 300, 2);         /* spans two clusters */
  mirror_write (d, mirror, 3 * 1048576 - 5000, 10000, 3); /* across backing EOF */
  mirror_zero (d, mirror, 8 * cs, 4 * cs);               /* hides backing data */
  mirror_zero (d, mirror, 20 * cs + 7, 1000);            /* partial zero: COW */
  mirror_write (d, mirror, 30 * cs, 5 * cs, 4);          /* whole clusters */
  disk_close (d);
  {
    const char *ref = tpath ("mirror.raw");
    write_whole_file (ref, mirror, size);
    CHECK (qemu_img_check (top) == 0);
    RUN ("qemu-img compare -F raw '%s' '%s' >&2", top, ref);
  }
  compare_with_qemu (top);
  compare_map_with_qemu (top, true);
  free (mirror);
  return 0;
}
