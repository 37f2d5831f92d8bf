/* seSparse stores the grain number of an allocated grain swizzled: its low
 * 12 bits in bits 48..59 of the entry, the rest in bits 0..47.  Grains
 * numbered across 4096 (so that both parts are non-zero) read from the
 * right place, as qemu-img reads them. */
#include <stdlib.h>

#include "deltagen.h"

#define SECTORS 65536   /* 32 MiB */

int
main (void)
{
  struct dg_delta *d;
  uint8_t *parent, *expected;
  size_t len;

  test_init (true);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", SECTORS, 0x31337, 4);
  d = dg_new (DG_SESPARSE, SECTORS, 8);
  d->first_grain_number = 4090;         /* numbers 4090 .. 4109 */
  dg_set (d, 3, 10, DG_DATA, 7);
  dg_set (d, 5000, 10, DG_DATA, 8);
  dg_write_delta (d, "snap.vmdk", "snap-sesparse.vmdk", "base.vmdk", 0x9,
                  0x31337);
  /* the file really holds grains past number 4096 */
  CHECK (d->grain_offset[3] >= 4096 * 4096);

  parent = test_read_file ("base-flat.vmdk", &len);
  expected = malloc (len);
  CHECK (expected != NULL);
  dg_expected (d, parent, expected);
  dg_expect_disk ("snap.vmdk", 0, expected, len);
  test_compare_with_qemu ("snap.vmdk", NULL);
  dg_free (d);
  free (parent);
  free (expected);
  return 0;
}
