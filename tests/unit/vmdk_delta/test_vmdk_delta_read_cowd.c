/* A vmfsSparse (COWD) delta over an ESX flat parent reads like qemu-img
 * reads it: allocated grains from the delta (stored out of guest order,
 * across GT boundaries), everything else from the parent, including a
 * whole GT that the delta never touched. */
#include <stdlib.h>

#include "deltagen.h"

#define SECTORS 16384   /* 8 MiB: four GTs of 4096 one-sector grains */

int
main (void)
{
  struct dg_delta *d;
  uint8_t *parent, *expected;
  size_t len;
  struct disk *disk;
  struct extent e;

  test_init (true);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", SECTORS, 0x1234abcd, 1);
  /* ESX writes one-sector grains in vmfsSparse deltas. */
  d = dg_new (DG_COWD, SECTORS, 1);
  dg_set (d, 0, 3, DG_DATA, 100);
  dg_set (d, 100, 100, DG_DATA, 200);
  dg_set (d, 4095, 2, DG_DATA, 300);        /* crosses GT 0 -> GT 1 */
  dg_set (d, 12288 + 5, 1, DG_DATA, 400);   /* GT 2 stays unallocated */
  dg_set (d, SECTORS - 1, 1, DG_DATA, 500); /* the last sector */
  dg_write_delta (d, "snap.vmdk", "snap-delta.vmdk", "base.vmdk", 0x55aa55aa,
                  0x1234abcd);

  parent = test_read_file ("base-flat.vmdk", &len);
  expected = malloc (len);
  CHECK (expected != NULL);
  dg_expected (d, parent, expected);
  dg_expect_disk ("snap.vmdk", 0, expected, len);
  test_compare_with_qemu ("snap.vmdk", NULL);

  /* Which layer answers: the delta for its grains, the parent elsewhere. */
  disk = test_open ("snap.vmdk");
  e = test_status_at (disk, 0, disk->size);
  CHECK (e.type == EXTENT_DATA && e.depth == 0 && e.length == 3 * 512);
  e = test_status_at (disk, 3 * 512, disk->size - 3 * 512);
  CHECK (e.type == EXTENT_DATA && e.depth == 1 && e.length == 97 * 512);
  e = test_status_at (disk, 4095 * 512, 4096);
  CHECK (e.type == EXTENT_DATA && e.depth == 0 && e.length == 1024);
  disk_close (disk);

  dg_free (d);
  free (parent);
  free (expected);
  return 0;
}
