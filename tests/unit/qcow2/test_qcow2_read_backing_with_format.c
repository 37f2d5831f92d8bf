/* test_qcow2_read_backing_with_format: an overlay's backing file name and format are reported and reads go through the chain. */
#include "qcow2test.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -q -f qcow2 -o cluster_size=4096 base.qcow2 4M");
  test_run ("qemu-io -f qcow2 -c 'write -P 0x11 0 2M' base.qcow2 >/dev/null");
  test_run ("qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 top.qcow2 6M");
  test_run ("qemu-io -f qcow2 -c 'write -P 0x22 4096 4096' -c 'write -z 65536 65536' "
            "-c 'write -P 0x33 5M 100000' top.qcow2 >/dev/null");
  d = test_open ("top.qcow2");
  CHECK (d->backing_path && strcmp (d->backing_path, "base.qcow2") == 0);
  CHECK (d->backing_format && strcmp (d->backing_format, "qcow2") == 0);
  CHECK (d->backing != NULL);
  disk_close (d);
  qt_compare_and_map_with_qemu ("top.qcow2");
  return 0;
}
