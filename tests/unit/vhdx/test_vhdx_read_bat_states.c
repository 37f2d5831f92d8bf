/* test_vhdx_read_bat_states: in a dynamic disk, NOT_PRESENT is
 * unallocated, ZERO, UNDEFINED and UNMAPPED read as zeros and are
 * reported as zero, FULLY_PRESENT is data — whatever stale bytes the
 * file holds at an UNDEFINED/UNMAPPED block's old offset.  qemu-img and
 * libvhdi read the same bytes. */
#include "vhdxtest.h"

int
main (void)
{
  struct vhdxgen *g;
  struct disk *d;
  const uint64_t M = 1 << 20;

  test_init (true);
  g = vx_gen_dynamic (8 * M, M, 512);
  vhdxgen_fill (g, 0, 8 * M, 0xee);       /* every block holds 0xee */
  vhdxgen_set_state (g, 1, VHDXGEN_NOT_PRESENT);
  vhdxgen_set_state (g, 2, VHDXGEN_ZERO);
  vhdxgen_set_state (g, 3, VHDXGEN_UNDEFINED);
  vhdxgen_set_state (g, 4, VHDXGEN_UNMAPPED);
  vhdxgen_save (g, "st.vhdx");
  vhdxgen_free (g);

  d = test_open ("st.vhdx");
  vx_expect_status (d, 0, 8 * M, EXTENT_DATA, M);
  vx_expect_status (d, M, 7 * M, EXTENT_UNALLOCATED, M);
  vx_expect_status (d, 2 * M, 6 * M, EXTENT_ZERO, 3 * M);
  vx_expect_status (d, 5 * M, 3 * M, EXTENT_DATA, 3 * M);
  test_expect_bytes (d, M, 4 * M, 0);
  test_expect_bytes (d, 5 * M, 3 * M, 0xee);
  disk_close (d);
  test_compare_with_qemu ("st.vhdx", "vhdx");
  vx_compare_with_pyvhdi ("st.vhdx", NULL);
  return 0;
}
