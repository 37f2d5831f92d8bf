/* A delta whose parentCID is not its parent's CID (the parent changed
 * after the snapshot, or the wrong file has the parent's name) is refused
 * for both delta kinds, naming both CIDs. */
#include "deltagen.h"

int
main (void)
{
  static const enum dg_kind kinds[] = { DG_COWD, DG_SESPARSE };

  test_init (false);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", 8192, 0xaaaa0001, 1);
  for (int i = 0; i < 2; i++) {
    struct dg_delta *d = dg_new (kinds[i], 8192, 8);
    struct disk *disk;

    dg_set (d, 0, 2, DG_DATA, 1);
    dg_write_delta (d, "snap.vmdk", "snap-x.vmdk", "base.vmdk", 2,
                    0xaaaa0001);
    disk = test_open ("snap.vmdk");
    CHECK (disk->backing != NULL);
    disk_close (disk);

    dg_write_delta (d, "snap.vmdk", "snap-x.vmdk", "base.vmdk", 2,
                    0xaaaa0002);
    test_expect_open_fails ("snap.vmdk", NULL, 0,
                            "parent CID mismatch (parentCID=aaaa0002, "
                            "parent's CID=aaaa0001");
    /* the delta alone still opens */
    disk = dg_open ("snap.vmdk", DISK_OPEN_NO_BACKING);
    CHECK (disk != NULL);
    disk_close (disk);
    dg_free (d);
  }
  return 0;
}
