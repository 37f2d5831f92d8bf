/* test_vhdx_diff_zero_states_hide_parent: in a differencing disk,
 * PAYLOAD_BLOCK_ZERO reads as zeros over a parent with data, and so do
 * UNDEFINED and UNMAPPED: the spec sends a differencing disk to its
 * parent only for NOT_PRESENT; for UNDEFINED and UNMAPPED it allows
 * "arbitrary data" (or, for UNMAPPED, zeros or the data before the unmap)
 * in every file type, and ferry always answers zeros, the one answer that
 * never exposes stale data.
 *
 * libvhdi (20210425) disagrees: in a differencing file it reads every
 * block that is not present from the parent, ZERO included.  For ZERO the
 * spec is explicit (the block's contents are zeros, in every file type),
 * so libvhdi is wrong there; for UNDEFINED and UNMAPPED the spec allows
 * arbitrary data, so the parent's bytes are permitted too, but zeros are
 * the answer that cannot resurrect data the guest discarded.  The test
 * compares with libvhdi where the spec leaves no choice (NOT_PRESENT and
 * present blocks) and notes libvhdi's answer for the others. */
#include <string.h>

#include "vhdxtest.h"

int
main (void)
{
  const uint64_t M = 1 << 20, size = 8 * M;
  struct vhdxgen_options o;
  struct vhdxgen *g;
  struct disk *d;
  const char *const parents[] = { "parent.vhdx", NULL };
  static uint8_t theirs[1 << 20];

  test_init (false);
  vx_make_parent ("parent.vhdx", size, 512);
  o = vx_child_options (size, 512, "parent.vhdx");
  g = vhdxgen_new (&o);
  vhdxgen_set_state (g, 1, VHDXGEN_ZERO);
  vhdxgen_set_state (g, 2, VHDXGEN_UNDEFINED);
  vhdxgen_set_state (g, 4, VHDXGEN_UNMAPPED);
  vhdxgen_fill (g, 5 * M, 512, 0x77);
  vhdxgen_save (g, "child.avhdx");
  vhdxgen_free (g);

  d = test_open ("child.avhdx");
  vx_expect_status (d, 0, size, EXTENT_DATA, M);        /* parent */
  CHECK (test_status_at (d, 0, size).depth == 1);
  vx_expect_status (d, M, size - M, EXTENT_ZERO, 2 * M);
  vx_expect_status (d, 4 * M, size - 4 * M, EXTENT_ZERO, M);
  test_expect_bytes (d, M, 2 * M, 0);
  test_expect_bytes (d, 4 * M, M, 0);
  test_expect_bytes (d, 0, M, 0x11);
  test_expect_bytes (d, 5 * M, 512, 0x77);
  test_expect_bytes (d, 5 * M + 512, M - 512, 0x11);
  disk_close (d);

  if (!vx_have_pyvhdi ())
    return 0;
  if (vx_pyvhdi_dump ("child.avhdx", "vhdi.raw", parents) != 0)
    FAIL ("libvhdi cannot read child.avhdx");
  /* where the spec leaves no choice, libvhdi agrees */
  test_read_at ("vhdi.raw", 0, theirs, M);
  CHECK (theirs[0] == 0x11 && theirs[M - 1] == 0x11);
  test_read_at ("vhdi.raw", 3 * M, theirs, M);          /* hole in parent */
  CHECK (theirs[0] == 0 && theirs[M - 1] == 0);
  test_read_at ("vhdi.raw", 5 * M, theirs, 1024);
  CHECK (theirs[0] == 0x77 && theirs[511] == 0x77 && theirs[512] == 0x11);
  /* ZERO, UNDEFINED, UNMAPPED: note libvhdi's answers */
  for (int b = 1; b <= 4; b += (b == 2 ? 2 : 1)) {
    test_read_at ("vhdi.raw", b * M, theirs, 1);
    fprintf (stderr, "note: libvhdi reads block %d (%s) as 0x%02x, ferry as "
             "0x00\n", b, b == 1 ? "ZERO" : b == 2 ? "UNDEFINED"
             : "UNMAPPED", theirs[0]);
  }
  return 0;
}
