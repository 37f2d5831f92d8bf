/* A snapshot child reads through to its parent where it has nothing,
 * exactly as qemu-img reads the chain. */
#include "chain.h"

int
main (void)
{
  struct disk *d;
  struct extent e;

  th_init (true);
  th_make_chain ("");
  th_compare_with_qemu ("child.vmdk");
  th_compare_map_with_qemu ("child.vmdk");

  d = th_open ("child.vmdk");
  CHECK (d->backing != NULL);
  CHECK (strcmp (d->backing_path, "base.vmdk") == 0);
  CHECK (strcmp (d->backing_format, "vmdk") == 0);
  CHECK (vmdk_get_descriptor (d)->parent_cid
         == vmdk_get_descriptor (d->backing)->cid);
  th_expect_bytes (d, 1 << 20, 64 << 10, 0xaa);
  th_expect_bytes (d, 1088 << 10, 64 << 10, 0xcc);
  th_expect_bytes (d, 4 << 20, 64 << 10, 0xbb);
  e = th_status_at (d, 1 << 20, 64 << 10);
  CHECK (e.type == EXTENT_DATA && e.depth == 1);
  e = th_status_at (d, 1088 << 10, 64 << 10);
  CHECK (e.type == EXTENT_DATA && e.depth == 0);
  e = th_status_at (d, 0, 1 << 20);
  CHECK (e.type == EXTENT_UNALLOCATED && e.depth == 1);
  disk_close (d);

  /* Without the chain, the child alone says "unallocated" there. */
  {
    char *p = th_path ("child.vmdk");
    d = disk_open (p, "vmdk", DISK_OPEN_NO_BACKING);
    CHECK (d != NULL && d->backing == NULL);
    e = th_status_at (d, 1 << 20, 64 << 10);
    CHECK (e.type == EXTENT_UNALLOCATED);
    disk_close (d);
    free (p);
  }
  return 0;
}
