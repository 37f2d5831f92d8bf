/* twoGbMaxExtentSparse: a descriptor and several "-sNNN.vmdk" sparse
 * extents; data written across the extent boundary reads back. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;
  const struct vmdk_descriptor *desc;
  uint64_t boundary;

  test_init (true);
  test_run ("qemu-img create -f vmdk -o subformat=twoGbMaxExtentSparse d.vmdk "
          "2112M");
  test_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 64k' "
          "-c 'write -P 0xcd 2047M 2M' -c 'write -P 0xef 2100M 4k' d.vmdk");
  vt_compare_and_map_with_qemu ("d.vmdk");

  d = test_open ("d.vmdk");
  desc = vmdk_get_descriptor (d);
  CHECK (desc->n_extents >= 2);
  CHECK (desc->extents[0].type == VMDK_EXTENT_SPARSE);
  boundary = desc->extents[0].sectors * 512;
  CHECK (boundary > 2047 << 20 && boundary < (uint64_t) 2049 << 20);
  test_expect_bytes (d, 2047 << 20, 2 << 20, 0xcd);
  CHECK (d->size == (uint64_t) 2112 << 20);
  disk_close (d);
  return 0;
}
