/* Grain directory and grain table entries of a vmfsSparse delta that point
 * past the end of the file or into the header are refused with a message,
 * at open (GD) or on first use (GT entries); a truncated delta fails its
 * reads cleanly. */
#include "deltagen.h"

#define SECTORS 8192

static struct dg_delta *d;

static void
fresh (void)
{
  dg_write_delta (d, "snap.vmdk", "snap-delta.vmdk", NULL, 1, 0);
}

int
main (void)
{
  test_init (false);
  d = dg_new (DG_COWD, SECTORS, 1);
  dg_set (d, 0, 10, DG_DATA, 1);
  dg_set (d, 5000, 10, DG_DATA, 2);

  fresh ();
  test_patch_le32 ("snap-delta.vmdk", d->gd_offset + 4, 0x00ffffff);
  test_expect_open_fails ("snap.vmdk", NULL, 0,
                          "grain table 1 points past end of file");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", d->gd_offset, 2);
  test_expect_open_fails ("snap.vmdk", NULL, 0,
                          "grain table 0 points into the header");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", d->gt_offset[0] + 4 * 3, 0x00ffffff);
  test_expect_read_fails ("snap.vmdk", "grain 3 points past end of file");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", d->gt_offset[1] + 4 * (5005 - 4096), 1);
  test_expect_read_fails ("snap.vmdk", "grain 5005 points into the header");
  fresh ();
  /* the last grain stored (guest grain 0) is cut short */
  test_truncate ("snap-delta.vmdk", d->file_size - 100);
  test_expect_read_fails ("snap.vmdk", "grain 0 points past end of file");

  dg_free (d);
  return 0;
}
