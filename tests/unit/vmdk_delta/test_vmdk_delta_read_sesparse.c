/* An seSparse delta over an ESX flat parent reads like qemu-img reads it:
 * allocated grains from the delta, unallocated grains from the parent, and
 * zero and unmapped grains as zeros that hide the parent's data. */
#include <stdlib.h>

#include "deltagen.h"

#define SECTORS 81920   /* 40 MiB: three GTs of 4096 4-KiB grains */

int
main (void)
{
  struct dg_delta *d;
  uint8_t *parent, *expected;
  size_t len;

  test_init (true);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", SECTORS, 0x0badcafe, 2);
  d = dg_new (DG_SESPARSE, SECTORS, 8);
  dg_set (d, 0, 2, DG_DATA, 10);
  dg_set (d, 2, 3, DG_ZERO, 0);
  dg_set (d, 5, 2, DG_UNMAPPED, 0);
  dg_set (d, 100, 50, DG_DATA, 20);
  dg_set (d, 4094, 4, DG_DATA, 30);          /* crosses GT 0 -> GT 1 */
  dg_set (d, 4200, 10, DG_ZERO, 0);
  dg_set (d, 8192 + 7, 1, DG_UNMAPPED, 0);   /* GT 2: no data at all */
  dg_set (d, d->n_grains - 1, 1, DG_DATA, 40);
  dg_write_delta (d, "snap.vmdk", "snap-sesparse.vmdk", "base.vmdk",
                  0x77777777, 0x0badcafe);

  parent = test_read_file ("base-flat.vmdk", &len);
  expected = malloc (len);
  CHECK (expected != NULL);
  dg_expected (d, parent, expected);
  dg_expect_disk ("snap.vmdk", 0, expected, len);
  test_compare_with_qemu ("snap.vmdk", NULL);

  dg_free (d);
  free (parent);
  free (expected);
  return 0;
}
