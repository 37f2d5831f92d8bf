/* In a dynamic (not differencing) disk an allocated block reads as its
 * bytes whatever its sector bitmap says, as QEMU reads it and as Windows
 * is reported to.  The specification says a clear bit marks a sector
 * never written, which would read as zeros; ferry keeps the bytes so that
 * it never turns data a guest could read into zeros (see vhd.c).  libvhdi
 * 20210425 follows the specification here and reads the unmarked block as
 * zeros: the one place where ferry sides with QEMU against the
 * specification.  The block is reported as data, an unallocated block as
 * zeros. */
#include "vhdtest.h"

#define BLOCK (64u << 10)

int
main (void)
{
  static uint8_t data[BLOCK];
  struct vhdgen *g;
  struct disk *d;
  struct extent e;

  test_init (true);
  g = vhdgen_new (VHDGEN_DYNAMIC, 1 << 20, BLOCK);
  test_fill_pattern (data, BLOCK, 5);
  vhdgen_write_unmarked (g, 0, data, BLOCK);          /* no bit set */
  vhdgen_write_unmarked (g, 2 * BLOCK, data, BLOCK);
  vhdgen_write (g, 2 * BLOCK + 4096, data, 512);      /* one bit set */
  vhdgen_save (g, "d.vhd");
  vhdgen_free (g);

  test_compare_with_qemu ("d.vhd", NULL);
  test_compare_map_with_qemu ("d.vhd", NULL, true);
  d = test_open ("d.vhd");
  e = test_status_at (d, 0, 1 << 20);
  CHECK (e.type == EXTENT_DATA && e.length == BLOCK);
  e = test_status_at (d, BLOCK, (1 << 20) - BLOCK);
  CHECK (e.type == EXTENT_ZERO && e.length == BLOCK);
  e = test_status_at (d, 2 * BLOCK, (1 << 20) - 2 * BLOCK);
  CHECK (e.type == EXTENT_DATA && e.length == BLOCK);
  disk_close (d);
  return 0;
}
