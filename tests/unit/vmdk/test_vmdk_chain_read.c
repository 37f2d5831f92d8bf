/* A snapshot child reads through to its parent where it has nothing,
 * exactly as qemu-img reads the chain. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;
  struct extent e;

  test_init (true);
  vt_make_chain ("");
  vt_compare_and_map_with_qemu ("child.vmdk");

  d = test_open ("child.vmdk");
  CHECK (d->backing != NULL);
  CHECK (strcmp (d->backing_path, "base.vmdk") == 0);
  CHECK (strcmp (d->backing_format, "vmdk") == 0);
  CHECK (vmdk_get_descriptor (d)->parent_cid
         == vmdk_get_descriptor (d->backing)->cid);
  test_expect_bytes (d, 1 << 20, 64 << 10, 0xaa);
  test_expect_bytes (d, 1088 << 10, 64 << 10, 0xcc);
  test_expect_bytes (d, 4 << 20, 64 << 10, 0xbb);
  e = test_status_at (d, 1 << 20, 64 << 10);
  CHECK (e.type == EXTENT_DATA && e.depth == 1);
  e = test_status_at (d, 1088 << 10, 64 << 10);
  CHECK (e.type == EXTENT_DATA && e.depth == 0);
  e = test_status_at (d, 0, 1 << 20);
  CHECK (e.type == EXTENT_UNALLOCATED && e.depth == 1);
  disk_close (d);

  /* Without the chain, the child alone says "unallocated" there. */
  {
    char *p = test_path ("child.vmdk");
    d = disk_open (p, "vmdk", DISK_OPEN_NO_BACKING);
    CHECK (d != NULL && d->backing == NULL);
    test_expect_status (d, 1 << 20, 64 << 10, EXTENT_UNALLOCATED, 0);
    disk_close (d);
    free (p);
  }
  return 0;
}
