/* test_vhdx_diff_4k_sectors: in a differencing disk with 4096-byte
 * logical sectors the sector bitmap has one bit per 4 KiB: a 4 KiB write
 * in the child shows through with the parent around it, the same in ferry
 * and libvhdi. */
#include "vhdxtest.h"

int
main (void)
{
  const uint64_t M = 1 << 20, size = 8 * M;
  struct vhdxgen_options o;
  struct vhdxgen *g;
  struct disk *d;
  const char *const parents[] = { "parent.vhdx", NULL };

  test_init (false);
  vx_make_parent ("parent.vhdx", size, 4096);
  o = vx_child_options (size, 4096, "parent.vhdx");
  g = vhdxgen_new (&o);
  vhdxgen_fill (g, 4096 * 3, 4096, 0x5e);
  vhdxgen_fill (g, 5 * M - 4096, 8192, 0x6f);
  vhdxgen_save (g, "child.avhdx");
  vhdxgen_free (g);

  d = test_open ("child.avhdx");
  vx_expect_status (d, 0, M, EXTENT_DATA, 3 * 4096);
  CHECK (test_status_at (d, 0, M).depth == 1);
  vx_expect_status (d, 3 * 4096, M, EXTENT_DATA, 4096);
  CHECK (test_status_at (d, 3 * 4096, M).depth == 0);
  test_expect_bytes (d, 3 * 4096, 4096, 0x5e);
  test_expect_bytes (d, 4 * 4096, 4096, 0x11);
  test_expect_bytes (d, 5 * M - 4096, 8192, 0x6f);
  disk_close (d);
  vx_compare_with_pyvhdi ("child.avhdx", parents);
  return 0;
}
