/* seSparse grain directory entries (checked at open) and grain table
 * entries (checked on use) that are corrupt or point past the end of the
 * file are refused with a message naming the entry. */
#include "deltagen.h"

#define SECTORS 40000

static struct dg_delta *d;

static void
fresh (void)
{
  dg_write_delta (d, "snap.vmdk", "snap-sesparse.vmdk", NULL, 1, 0);
}

int
main (void)
{
  test_init (false);
  d = dg_new (DG_SESPARSE, SECTORS, 8);
  dg_set (d, 0, 10, DG_DATA, 1);
  dg_set (d, 4100, 10, DG_ZERO, 0);

  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", d->gd_offset + 8,
                   UINT64_C (0x2000000000000000));
  test_expect_open_fails ("snap.vmdk", NULL, 0,
                          "grain directory entry 1 is corrupt "
                          "(0x2000000000000000)");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", d->gd_offset,
                   UINT64_C (0x10000000ffffffff));
  test_expect_open_fails ("snap.vmdk", NULL, 0,
                          "grain table 0 (number 4294967295) points past "
                          "end of file");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", d->gt_offset[0] + 8 * 2,
                   UINT64_C (0x4000000000000000));
  test_expect_read_fails ("snap.vmdk", "grain table entry for grain 2 is "
                          "corrupt (0x4000000000000000)");
  fresh ();
  /* type 0 (unallocated) with stray bits set */
  test_patch_le64 ("snap-sesparse.vmdk", d->gt_offset[0] + 8 * 20, 0x55);
  test_expect_read_fails ("snap.vmdk", "grain table entry for grain 20 is "
                          "corrupt");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", d->gt_offset[0] + 8 * 3,
                   UINT64_C (0x3000ffffffffffff));
  test_expect_read_fails ("snap.vmdk", "grain 3 (stored as grain number "
                          "1152921504606842880) points past end of file");
  fresh ();
  test_truncate ("snap-sesparse.vmdk", d->file_size - 1);
  test_expect_read_fails ("snap.vmdk", "grain 0 (stored as grain number 9)"
                          " points past end of file");

  dg_free (d);
  return 0;
}
