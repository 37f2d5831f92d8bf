/* test_qcow2_read_backing_with_format: an overlay's backing file name and format are reported and reads go through the chain. */
#include "helpers.h"

int
main (void)
{
  const char *base, *top;
  struct disk *d;

  test_init ();
  base = tpath ("base.qcow2");
  top = tpath ("top.qcow2");
  RUN ("qemu-img create -q -f qcow2 -o cluster_size=4096 '%s' 4M", base);
  RUN ("qemu-io -f qcow2 -c 'write -P 0x11 0 2M' '%s' >/dev/null", base);
  RUN ("qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 '%s' 6M", top);
  RUN ("qemu-io -f qcow2 -c 'write -P 0x22 4096 4096' -c 'write -z 65536 65536' "
       "-c 'write -P 0x33 5M 100000' '%s' >/dev/null", top);
  d = disk_open (top, NULL, 0);
  CHECK (d != NULL);
  CHECK (d->backing_path && strcmp (d->backing_path, "base.qcow2") == 0);
  CHECK (d->backing_format && strcmp (d->backing_format, "qcow2") == 0);
  CHECK (d->backing != NULL);
  disk_close (d);
  compare_with_qemu (top);
  compare_map_with_qemu (top, true);
  return 0;
}
