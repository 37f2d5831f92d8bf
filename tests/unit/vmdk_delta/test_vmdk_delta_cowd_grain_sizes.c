/* vmfsSparse deltas with grains larger than ESX's one sector (8 and 128
 * sectors), over a parent whose size is not a multiple of the grain: the
 * last grain is partial, and a GT covers more than 2 MiB. */
#include <stdlib.h>

#include "deltagen.h"

#define SECTORS 10001

int
main (void)
{
  static const uint32_t grains[] = { 8, 128 };
  uint8_t *parent, *expected;
  size_t len;

  test_init (true);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", SECTORS, 0x42424242, 3);
  parent = test_read_file ("base-flat.vmdk", &len);
  expected = malloc (len);
  CHECK (expected != NULL);
  for (size_t i = 0; i < sizeof grains / sizeof grains[0]; i++) {
    struct dg_delta *d = dg_new (DG_COWD, SECTORS, grains[i]);

    dg_set (d, 1, 2, DG_DATA, 1000 * i);
    dg_set (d, d->n_grains / 2, 3, DG_DATA, 1000 * i + 50);
    dg_set (d, d->n_grains - 1, 1, DG_DATA, 1000 * i + 90);  /* partial */
    dg_write_delta (d, "snap.vmdk", "snap-delta.vmdk", "base.vmdk",
                    0x100 + (uint32_t) i, 0x42424242);
    dg_expected (d, parent, expected);
    dg_expect_disk ("snap.vmdk", 0, expected, len);
    test_compare_with_qemu ("snap.vmdk", NULL);
    test_compare_map_with_qemu ("snap.vmdk", NULL, true);
    dg_free (d);
  }
  free (parent);
  free (expected);
  return 0;
}
