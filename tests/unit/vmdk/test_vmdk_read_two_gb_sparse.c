/* twoGbMaxExtentSparse: a descriptor and several "-sNNN.vmdk" sparse
 * extents; data written across the extent boundary reads back. */
#include "helpers.h"

int
main (void)
{
  struct disk *d;
  const struct vmdk_descriptor *desc;
  uint64_t boundary;

  th_init (true);
  th_run ("qemu-img create -f vmdk -o subformat=twoGbMaxExtentSparse d.vmdk "
          "2112M");
  th_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 64k' "
          "-c 'write -P 0xcd 2047M 2M' -c 'write -P 0xef 2100M 4k' d.vmdk");
  th_compare_with_qemu ("d.vmdk");
  th_compare_map_with_qemu ("d.vmdk");

  d = th_open ("d.vmdk");
  desc = vmdk_get_descriptor (d);
  CHECK (desc->n_extents >= 2);
  CHECK (desc->extents[0].type == VMDK_EXTENT_SPARSE);
  boundary = desc->extents[0].sectors * 512;
  CHECK (boundary > 2047 << 20 && boundary < (uint64_t) 2049 << 20);
  th_expect_bytes (d, 2047 << 20, 2 << 20, 0xcd);
  CHECK (d->size == (uint64_t) 2112 << 20);
  disk_close (d);
  return 0;
}
