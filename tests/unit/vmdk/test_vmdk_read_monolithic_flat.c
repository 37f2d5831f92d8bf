/* A monolithicFlat image (descriptor + "-flat.vmdk") reads like qemu-img
 * reads it; holes in the flat file are reported as zeros. */
#include "helpers.h"

int
main (void)
{
  struct disk *d;
  struct extent e;

  th_init (true);
  th_run ("qemu-img create -f vmdk -o subformat=monolithicFlat d.vmdk 20M");
  th_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 64k' -c 'write -P 0xcd 19M 1M'"
          " d.vmdk");
  th_compare_with_qemu ("d.vmdk");
  th_compare_map_with_qemu ("d.vmdk");

  d = th_open ("d.vmdk");
  CHECK (d->size == 20 << 20);
  CHECK (strcmp (vmdk_get_descriptor (d)->create_type, "monolithicFlat") == 0);
  e = th_status_at (d, 1 << 20, 64 << 10);
  CHECK (e.type == EXTENT_DATA);
  e = th_status_at (d, 10 << 20, 1 << 20);
  CHECK (e.type == EXTENT_ZERO);
  th_expect_bytes (d, 19 << 20, 1 << 20, 0xcd);
  disk_close (d);
  return 0;
}
