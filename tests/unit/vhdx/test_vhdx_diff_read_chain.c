/* test_vhdx_diff_read_chain: a differencing VHDX (.avhdx) over a dynamic
 * parent reads the same in ferry and libvhdi: sectors written in the
 * child (PARTIALLY_PRESENT blocks with their sector bitmap, and whole
 * FULLY_PRESENT blocks) come from the child, everything else from the
 * parent; the parent's unallocated block reads as zeros.
 *
 * qemu 7.2 cannot compare: it refuses VHDX files with HasParent set
 * ("Operation not supported"); the test checks that. */
#include "vhdxtest.h"

int
main (void)
{
  const uint64_t M = 1 << 20, size = 8 * M;
  struct vhdxgen_options o;
  struct vhdxgen *g;
  struct disk *d;
  uint8_t buf[5 * 512];
  const char *const parents[] = { "parent.vhdx", NULL };

  test_init (true);
  vx_make_parent ("parent.vhdx", size, 512);
  o = vx_child_options (size, 512, ".\\parent.vhdx");
  g = vhdxgen_new (&o);
  test_fill_pattern (buf, sizeof buf, 3);
  vhdxgen_write (g, 512 * 7, buf, sizeof buf);          /* partial, block 0 */
  vhdxgen_fill (g, M - 512, 1024, 0x22);                 /* blocks 0 and 1 */
  vhdxgen_fill (g, 2 * M, M, 0x33);                      /* whole block 2 */
  vhdxgen_fill (g, 3 * M + 4096, 512, 0x44);             /* over a hole */
  vhdxgen_save (g, "child.avhdx");
  vhdxgen_free (g);

  d = test_open ("child.avhdx");
  CHECK (d->backing != NULL);
  vx_expect_status (d, 0, size, EXTENT_DATA, 7 * 512);
  CHECK (test_status_at (d, 0, size).depth == 1);
  vx_expect_status (d, 7 * 512, M, EXTENT_DATA, 5 * 512);
  CHECK (test_status_at (d, 7 * 512, M).depth == 0);
  vx_expect_status (d, 3 * M, M, EXTENT_UNALLOCATED, 4096);
  test_expect_bytes (d, 0, 7 * 512, 0x11);
  test_expect_bytes (d, M - 512, 1024, 0x22);
  test_expect_bytes (d, 2 * M, M, 0x33);
  test_expect_bytes (d, 3 * M, 4096, 0);
  test_expect_bytes (d, 3 * M + 4096, 512, 0x44);
  test_expect_bytes (d, 4 * M, 4 * M, 0x11);
  disk_close (d);

  vx_compare_with_pyvhdi ("child.avhdx", parents);
  if (test_run_status ("qemu-img convert -f vhdx -O raw child.avhdx q.raw")
      == 0)
    FAIL ("qemu-img now reads differencing VHDX: compare with it");
  return 0;
}
