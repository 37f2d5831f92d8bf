/* A differencing VHD over a dynamic parent (both written by vhdgen, with
 * W2ku and W2ru locators as Hyper-V writes them) reads as the parent
 * overlaid with the sectors whose bitmap bits are set in the child:
 * partly written blocks, a block allocated with every bit clear (its
 * stale bytes must not show), a run across two blocks, and blocks the
 * child never allocated.  The bytes are checked against a model and
 * against libvhdi (runs here are whole bitmap bytes: see
 * test_vhd_chain_bitmap_sector_granular for why). */
#include "vhdtest.h"

#define MiB (1u << 20)
#define SIZE (8 * MiB)

static uint8_t model[SIZE], buf[2 * MiB];

static void
child_write (struct vhdgen *g, uint64_t offset, size_t len, unsigned seed)
{
  test_fill_pattern (buf, len, seed);
  vhdgen_write (g, offset, buf, len);
  memcpy (model + offset, buf, len);
}

int
main (void)
{
  uint8_t parent_uuid[16], uuid[16];
  struct vhdgen *g;
  struct disk *d;
  struct extent e;

  test_init (false);

  /* parent: data everywhere but its third 2 MiB block */
  vhdgen_uuid (1, parent_uuid);
  g = vhdgen_new (VHDGEN_DYNAMIC, SIZE, 2 * MiB);
  vhdgen_set_uuid (g, parent_uuid);
  for (unsigned b = 0; b < 4; b++) {
    if (b == 2)
      continue;
    test_fill_pattern (model + b * 2 * MiB, 2 * MiB, 100 + b);
    vhdgen_write (g, (uint64_t) b * 2 * MiB, model + b * 2 * MiB, 2 * MiB);
  }
  vhdgen_save (g, "base.vhd");
  vhdgen_free (g);

  /* child: 512 KiB blocks, as Hyper-V makes differencing disks */
  g = vhdgen_new (VHDGEN_DIFFERENCING, SIZE, 512 << 10);
  vhdgen_uuid (2, uuid);
  vhdgen_set_uuid (g, uuid);
  vhdgen_set_parent (g, parent_uuid, "base.vhd");
  vhdgen_add_locator (g, "W2ku", "C:\\VMs\\base.vhd");
  vhdgen_add_locator (g, "W2ru", ".\\base.vhd");
  child_write (g, 4096, 4096, 7);               /* block 0, two runs */
  child_write (g, 12288, 4096, 8);
  child_write (g, 4 * MiB, 512 << 10, 9);       /* parent has no data */
  test_fill_pattern (buf, 512 << 10, 10);       /* stale, no bit set */
  vhdgen_write_unmarked (g, 6 * MiB, buf, 512 << 10);
  child_write (g, 7 * MiB - 4096, 8192, 11);    /* across blocks 13/14 */
  child_write (g, SIZE - 4096, 4096, 12);       /* the last sectors */
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);

  d = test_open ("child.vhd");        /* probed, parent found by W2ru */
  CHECK (d->backing != NULL);
  CHECK (strcmp (d->backing_path, "base.vhd") == 0);
  CHECK (strcmp (d->backing_format, "vhd") == 0);
  test_write_file ("model.raw", model, SIZE);
  vhdtest_expect_same_as_file (d, "model.raw");

  /* block status: child sectors at depth 0, the rest from the parent */
  e = test_status_at (d, 0, MiB);
  CHECK (e.type == EXTENT_DATA && e.depth == 1 && e.length == 4096);
  e = test_status_at (d, 4096, MiB);
  CHECK (e.type == EXTENT_DATA && e.depth == 0 && e.length == 4096);
  e = test_status_at (d, 4 * MiB, MiB);
  CHECK (e.type == EXTENT_DATA && e.depth == 0 && e.length == 512 << 10);
  /* unallocated in the child; the parent, a dynamic disk, says zeros */
  e = test_status_at (d, 5 * MiB, MiB);
  CHECK (e.type == EXTENT_ZERO && e.depth == 1);
  e = test_status_at (d, 6 * MiB, 512 << 10);   /* clear bits: parent */
  CHECK (e.type == EXTENT_DATA && e.depth == 1);
  e = test_status_at (d, 7 * MiB - 4096, MiB);
  CHECK (e.type == EXTENT_DATA && e.depth == 0 && e.length == 8192);
  e = test_status_at (d, SIZE - 4096, 4096);
  CHECK (e.type == EXTENT_DATA && e.depth == 0);
  /* the layer alone merges clear bits and unallocated blocks */
  CHECK (d->driver->block_status (d, 16384, 4 * MiB, &e) == 0);
  CHECK (e.type == EXTENT_UNALLOCATED && e.length == 4 * MiB - 16384);

  /* libvhdi, an independent reader, agrees */
  if (vhdtest_libvhdi_convert ("child.vhd", "base.vhd", "libvhdi.raw"))
    vhdtest_expect_same_as_file (d, "libvhdi.raw");
  disk_close (d);
  return 0;
}
