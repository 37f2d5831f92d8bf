/* Block status of a delta chain agrees with `qemu-img map`: the same
 * ranges hold data, at the same depth (0 = the delta, 1 = the parent), and
 * seSparse zero / unmapped grains are present-but-zero in the delta. */
#include "deltagen.h"

#define SECTORS 40960

int
main (void)
{
  struct dg_delta *c, *s;

  test_init (true);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", SECTORS, 0xabc, 5);

  c = dg_new (DG_COWD, SECTORS, 1);
  dg_set (c, 0, 1, DG_DATA, 1);
  dg_set (c, 10, 4096, DG_DATA, 2);
  dg_set (c, 20000, 3, DG_DATA, 3);
  dg_write_delta (c, "cowd.vmdk", "cowd-delta.vmdk", "base.vmdk", 0xc0,
                  0xabc);
  test_compare_map_with_qemu ("cowd.vmdk", NULL, true);

  s = dg_new (DG_SESPARSE, SECTORS, 8);
  dg_set (s, 0, 1, DG_DATA, 1);
  dg_set (s, 1, 5, DG_ZERO, 0);
  dg_set (s, 6, 5, DG_UNMAPPED, 0);
  dg_set (s, 4000, 200, DG_DATA, 2);
  dg_set (s, s->n_grains - 2, 2, DG_ZERO, 0);
  dg_write_delta (s, "se.vmdk", "se-sesparse.vmdk", "base.vmdk", 0x5e,
                  0xabc);
  test_compare_map_with_qemu ("se.vmdk", NULL, true);

  dg_free (c);
  dg_free (s);
  return 0;
}
