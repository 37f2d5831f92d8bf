/* A monolithicFlat image (descriptor + "-flat.vmdk") reads like qemu-img
 * reads it; holes in the flat file are reported as zeros. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -f vmdk -o subformat=monolithicFlat d.vmdk 20M");
  test_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 64k' -c 'write -P 0xcd 19M 1M'"
          " d.vmdk");
  test_compare_with_qemu ("d.vmdk", NULL);
  /* qemu-img says "data" for holes in the flat file, ferry says zero */
  test_compare_map_with_qemu_holes ("d.vmdk", NULL, false);

  d = test_open ("d.vmdk");
  CHECK (d->size == 20 << 20);
  CHECK (strcmp (vmdk_get_descriptor (d)->create_type, "monolithicFlat") == 0);
  test_expect_status (d, 1 << 20, 64 << 10, EXTENT_DATA, 0);
  test_expect_status (d, 10 << 20, 1 << 20, EXTENT_ZERO, 0);
  test_expect_bytes (d, 19 << 20, 1 << 20, 0xcd);
  disk_close (d);
  return 0;
}
