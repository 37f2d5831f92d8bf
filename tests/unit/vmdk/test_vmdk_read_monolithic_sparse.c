/* A monolithicSparse image written by qemu reads back byte for byte as
 * qemu-img reads it, with the same allocation map. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;
  const struct vmdk_descriptor *desc;

  test_init (true);
  test_run ("qemu-img create -f vmdk -o subformat=monolithicSparse d.vmdk 100M");
  test_run ("qemu-io -f vmdk -c 'write -P 0xab 1M 64k' -c 'write -P 0xcd 5M 200k'"
          " -c 'write -P 0x11 33M 4k' -c 'write -P 0x22 99M 1M' d.vmdk");
  vt_compare_and_map_with_qemu ("d.vmdk");

  d = test_open ("d.vmdk");
  CHECK (strcmp (d->driver->name, "vmdk") == 0);
  CHECK (d->size == 100 << 20);
  CHECK (d->backing_path == NULL);
  test_expect_bytes (d, 1 << 20, 65536, 0xab);
  test_expect_bytes (d, 33 << 20, 4096, 0x11);
  /* Never written: unallocated in a layer without parent. */
  test_expect_status (d, 0, 1 << 20, EXTENT_UNALLOCATED, 1 << 20);
  test_expect_status (d, 1 << 20, 10 << 20, EXTENT_DATA, 65536);
  desc = vmdk_get_descriptor (d);
  CHECK (desc != NULL);
  CHECK (strcmp (desc->create_type, "monolithicSparse") == 0);
  CHECK (desc->has_cid && desc->parent_cid == VMDK_CID_NONE);
  CHECK (desc->n_extents == 1 && desc->extents[0].type == VMDK_EXTENT_SPARSE);
  CHECK (desc->extents[0].sectors == (100 << 20) / 512);
  disk_close (d);
  return 0;
}
