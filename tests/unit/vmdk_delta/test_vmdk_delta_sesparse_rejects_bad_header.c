/* Every seSparse header field the reader relies on is checked at open,
 * with a message naming the file and the field; a bare seSparse file gets
 * the same checks.  The format is undocumented, so values ESXi never
 * writes (grain size, grain table size, flags, reserved fields) are
 * refused rather than guessed at, as qemu does. */
#include "deltagen.h"

#define SECTORS 40000

static struct dg_delta *d;

static void
fresh (void)
{
  dg_write_delta (d, "snap.vmdk", "snap-sesparse.vmdk", NULL, 1, 0);
}

static void
expect (const char *want)
{
  test_expect_open_fails ("snap.vmdk", NULL, 0, want);
  test_expect_open_fails ("snap-sesparse.vmdk", NULL, 0, want);
}

int
main (void)
{
  struct disk *disk;

  test_init (false);
  d = dg_new (DG_SESPARSE, SECTORS, 8);
  dg_set (d, 0, 10, DG_DATA, 1);
  dg_set (d, 4100, 10, DG_ZERO, 0);
  fresh ();
  disk = test_open ("snap.vmdk");
  disk_close (disk);

  test_patch_le64 ("snap-sesparse.vmdk", 0, 0xcafebabf);
  test_expect_open_fails ("snap.vmdk", NULL, 0,
                          "not an seSparse extent (bad magic "
                          "0x00000000cafebabf)");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_VERSION, 0x0000000200000002);
  expect ("unsupported seSparse version 2.2");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_CAPACITY, 0);
  expect ("seSparse capacity of 0 sectors is out of range");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_CAPACITY, UINT64_C (1) << 50);
  expect ("seSparse capacity of 1125899906842624 sectors is out of range");
  fresh ();
  /* a large but legal capacity needs a GD larger than the one declared */
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_CAPACITY, UINT64_C (1) << 36);
  expect ("cannot cover 68719476736 sectors");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_CAPACITY, SECTORS - 8);
  test_expect_open_fails ("snap.vmdk", NULL, 0, "larger than the capacity");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_GRAIN_SIZE, 0);
  expect ("unsupported seSparse grain size of 0 sectors");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_GT_SIZE, 128);
  expect ("unsupported seSparse grain table size of 128 sectors");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_FLAGS, 1);
  expect ("unsupported seSparse flags");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_RESERVED1, 5);
  expect ("reserved header field 1 is not zero");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_VOLATILE_OFFSET, 1u << 30);
  expect ("volatile header (sector 1073741824) points past end of file");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", d->volatile_offset, 0xcafecaff);
  expect ("volatile header at sector 1 has a bad magic");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_GD_OFFSET, UINT64_C (1) << 55);
  expect ("grain directory (sector 36028797018963968, 16 bytes) points past "
          "end of file");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_GD_OFFSET, 0);
  expect ("at sector 0");
  fresh ();
  test_patch_le64 ("snap-sesparse.vmdk", DG_SE_GD_SIZE, 0);
  expect ("grain directory of 0 sectors cannot cover");
  fresh ();
  test_truncate ("snap-sesparse.vmdk", 100);
  expect ("too short (100 bytes) for an seSparse header");

  /* a COWD file named as an SESPARSE extent, and the other way round */
  fresh ();
  {
    struct dg_delta *c = dg_new (DG_COWD, SECTORS, 1);
    dg_write_extent (c, "snap-sesparse.vmdk");
    test_expect_open_fails ("snap.vmdk", NULL, 0, "not an seSparse extent");
    dg_write_extent (d, "snap-sesparse.vmdk");
    dg_write_descriptor ("cowd.vmdk", DG_COWD, SECTORS, "snap-sesparse.vmdk",
                         NULL, 1, 0);
    test_expect_open_fails ("cowd.vmdk", NULL, 0,
                            "calls it VMFSSPARSE, but it is an seSparse "
                            "extent");
    dg_free (c);
  }

  dg_free (d);
  return 0;
}
