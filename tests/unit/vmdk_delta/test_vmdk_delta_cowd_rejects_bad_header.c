/* Every vmfsSparse (COWD) header field that could mislead the reader is
 * checked at open, with a message that names the file and the problem; a
 * bare COWD file gets the same checks. */
#include "deltagen.h"

#define SECTORS 8192

static struct dg_delta *d;

/* A fresh, valid delta: the descriptor "snap.vmdk" and "snap-delta.vmdk". */
static void
fresh (void)
{
  dg_write_delta (d, "snap.vmdk", "snap-delta.vmdk", NULL, 1, 0);
}

static void
expect (const char *want)
{
  test_expect_open_fails ("snap.vmdk", NULL, 0, want);
  test_expect_open_fails ("snap-delta.vmdk", NULL, 0, want);
}

int
main (void)
{
  struct disk *disk;

  test_init (false);
  d = dg_new (DG_COWD, SECTORS, 1);
  dg_set (d, 0, 10, DG_DATA, 1);
  dg_set (d, 5000, 10, DG_DATA, 2);
  fresh ();
  disk = test_open ("snap.vmdk");     /* the unpatched file is fine */
  disk_close (disk);

  test_patch ("snap-delta.vmdk", 0, "XXXX", 4);
  test_expect_open_fails ("snap.vmdk", NULL, 0,
                          "not a vmfsSparse (COWD) extent (bad magic");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_VERSION, 2);
  expect ("unsupported vmfsSparse (COWD) version 2");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_FLAGS, 0x100);
  expect ("unknown vmfsSparse (COWD) flags 0x00000100");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_GRAIN_SIZE, 0);
  expect ("grain size of 0 sectors is out of range");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_GRAIN_SIZE, 0x80000000);
  expect ("grain size of 2147483648 sectors is out of range");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_NUM_SECTORS, 0);
  expect ("says the disk has no sectors");
  fresh ();
  /* capacity huge: the GD it needs is larger than the one declared */
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_NUM_SECTORS, 0xffffffff);
  expect ("cannot cover 4294967295 sectors");
  fresh ();
  /* ... and when the GD is declared that large, it runs past the file */
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_NUM_SECTORS, 0xffffffff);
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_NUM_GD_ENTRIES, 1u << 20);
  expect ("points past end of file");
  fresh ();
  /* smaller than the descriptor's extent */
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_NUM_SECTORS, SECTORS - 1);
  test_expect_open_fails ("snap.vmdk", NULL, 0, "larger than the capacity");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_GD_OFFSET, 1);
  expect ("grain directory at sector 1 overlaps the header");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_GD_OFFSET, 0x7fffffff);
  expect ("grain directory (sector 2147483647, 8 bytes) points past end of "
          "file");
  fresh ();
  test_patch_le32 ("snap-delta.vmdk", DG_COWD_NUM_GD_ENTRIES, 1);
  expect ("grain directory of 1 entries cannot cover");
  fresh ();
  test_truncate ("snap-delta.vmdk", 1000);
  expect ("too short (1000 bytes) for a vmfsSparse (COWD) header");
  test_truncate ("snap-delta.vmdk", 0);
  test_expect_open_fails ("snap.vmdk", NULL, 0, "bad magic");

  dg_free (d);
  return 0;
}
