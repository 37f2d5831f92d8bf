/* A delta opened without its parent (DISK_OPEN_NO_BACKING, what a copy of
 * the delta alone uses) reports only its own grains: data where it holds
 * data, zero where seSparse says zero or unmapped, unallocated elsewhere,
 * so that the parent can be copied once and each delta on top of it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "deltagen.h"

#define SECTORS 16384

static void
check_alone (struct dg_delta *d, const char *name)
{
  struct disk *disk = dg_open (name, DISK_OPEN_NO_BACKING);
  uint64_t gbytes = (uint64_t) d->grain_sectors * 512;
  uint8_t *grain = malloc (gbytes), *buf = malloc (gbytes);

  CHECK (disk != NULL && disk->backing == NULL);
  CHECK (grain != NULL && buf != NULL);
  for (uint64_t off = 0; off < disk->size;) {
    struct extent e = test_status_at (disk, off, disk->size - off);
    uint64_t g = off / gbytes;
    enum extent_type want = d->entry[g] == DG_DATA ? EXTENT_DATA
      : d->entry[g] == DG_UNALLOCATED ? EXTENT_UNALLOCATED : EXTENT_ZERO;

    CHECK (e.depth == 0);
    if (e.type != want)
      FAIL ("%s: grain %" PRIu64 ": type %d, expected %d", name, g, e.type,
            want);
    /* every grain in the extent has the same kind */
    for (uint64_t h = g; h * gbytes < off + e.length; h++) {
      enum extent_type t = d->entry[h] == DG_DATA ? EXTENT_DATA
        : d->entry[h] == DG_UNALLOCATED ? EXTENT_UNALLOCATED : EXTENT_ZERO;
      CHECK (t == want);
    }
    if (e.type == EXTENT_DATA) {
      dg_grain_data (d, g, grain);
      CHECK (disk_pread_layer (disk, 0, buf, gbytes, g * gbytes) == 0);
      CHECK (memcmp (buf, grain, gbytes) == 0);
    }
    off += e.length;
  }
  disk_close (disk);
  free (grain);
  free (buf);
}

int
main (void)
{
  struct dg_delta *c, *s;

  test_init (false);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", SECTORS, 0xabc, 5);
  c = dg_new (DG_COWD, SECTORS, 1);
  dg_set (c, 7, 9, DG_DATA, 1);
  dg_set (c, 5000, 1, DG_DATA, 2);
  dg_write_delta (c, "cowd.vmdk", "cowd-delta.vmdk", "base.vmdk", 1, 0xabc);
  check_alone (c, "cowd.vmdk");

  s = dg_new (DG_SESPARSE, SECTORS, 8);
  dg_set (s, 0, 3, DG_DATA, 1);
  dg_set (s, 3, 2, DG_ZERO, 0);
  dg_set (s, 5, 2, DG_UNMAPPED, 0);
  dg_set (s, 100, 1, DG_DATA, 2);
  dg_write_delta (s, "se.vmdk", "se-sesparse.vmdk", "base.vmdk", 2, 0xabc);
  check_alone (s, "se.vmdk");

  dg_free (c);
  dg_free (s);
  return 0;
}
