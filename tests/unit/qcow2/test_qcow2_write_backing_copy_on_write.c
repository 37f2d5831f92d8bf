/* test_qcow2_write_backing_copy_on_write: partial writes into unallocated clusters copy the rest from the backing file; whole-cluster zeros hide it. */
#include "qcow2test.h"

int
main (void)
{
  const uint64_t size = 4ULL << 20, cs = 65536;
  struct disk_create_options o = { .size = size, .cluster_size = cs,
                                   .backing_file = "base.qcow2", .backing_format = "qcow2" };
  uint8_t *mirror;
  struct disk *d;

  test_init (true);
  /* a smaller backing file: past its end the guest reads zeros */
  test_run ("qemu-img create -q -f qcow2 base.qcow2 3M");
  test_run ("qemu-io -f qcow2 -c 'write -P 0x61 0 3M' base.qcow2 >/dev/null");
  CHECK (qt_create_with ("top.qcow2", &o) == 0);
  mirror = qt_guest_bytes ("top.qcow2", size);
  d = qt_open ("top.qcow2", DISK_OPEN_WRITE);
  CHECK (d->backing != NULL);
  qt_mirror_write (d, mirror, 1000, 3000, 1);               /* COW head+tail */
  qt_mirror_write (d, mirror, 3 * cs - 100, 300, 2);         /* spans two clusters */
  qt_mirror_write (d, mirror, 3 * 1048576 - 5000, 10000, 3); /* across backing EOF */
  qt_mirror_zero (d, mirror, 8 * cs, 4 * cs);               /* hides backing data */
  qt_mirror_zero (d, mirror, 20 * cs + 7, 1000);            /* partial zero: COW */
  qt_mirror_write (d, mirror, 30 * cs, 5 * cs, 4);          /* whole clusters */
  disk_close (d);
  qt_verify_written ("top.qcow2", mirror, size);
  test_compare_map_with_qemu ("top.qcow2", NULL, true);
  free (mirror);
  return 0;
}
