/* twoGbMaxExtentFlat: a descriptor and several "-fNNN.vmdk" flat files. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;
  const struct vmdk_descriptor *desc;

  test_init (true);
  test_run ("qemu-img create -f vmdk -o subformat=twoGbMaxExtentFlat d.vmdk "
          "2112M");
  test_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 64k' "
          "-c 'write -P 0xcd 2047M 2M' -c 'write -P 0xef 2100M 4k' d.vmdk");
  test_compare_with_qemu ("d.vmdk", NULL);
  /* qemu-img says "data" for holes in the flat file, ferry says zero */
  test_compare_map_with_qemu_holes ("d.vmdk", NULL, false);

  d = test_open ("d.vmdk");
  desc = vmdk_get_descriptor (d);
  CHECK (desc->n_extents >= 2);
  CHECK (desc->extents[0].type == VMDK_EXTENT_FLAT);
  CHECK (desc->extents[1].type == VMDK_EXTENT_FLAT);
  test_expect_bytes (d, 2047 << 20, 2 << 20, 0xcd);
  test_expect_bytes (d, (uint64_t) 2100 << 20, 4096, 0xef);
  disk_close (d);
  return 0;
}
