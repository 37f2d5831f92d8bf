/* A three-layer snapshot chain as ESX leaves it after two snapshots of a
 * disk: a COWD delta over an seSparse delta over a monolithicSparse base
 * made and written by qemu-img / qemu-io.  Every byte and every depth
 * agrees with qemu. */
#include "deltagen.h"

#define SECTORS 20480   /* 10 MiB */

int
main (void)
{
  struct dg_delta *s, *c;
  uint32_t base_cid;
  struct disk *disk;
  struct extent e;

  test_init (true);
  test_run ("qemu-img create -q -f vmdk base.vmdk %u", SECTORS * 512);
  test_run ("qemu-io -f vmdk -c 'write -P 0x11 0 4M' -c 'write -P 0x22 6M 1M'"
            " base.vmdk >/dev/null");
  base_cid = dg_cid_of ("base.vmdk");

  s = dg_new (DG_SESPARSE, SECTORS, 8);
  dg_set (s, 0, 16, DG_DATA, 1);          /* over base data */
  dg_set (s, 16, 16, DG_ZERO, 0);         /* hides base data */
  dg_set (s, 1300, 10, DG_DATA, 2);       /* over a base hole */
  dg_set (s, 1536, 8, DG_UNMAPPED, 0);    /* hides base data at 6M */
  dg_write_delta (s, "base-000001.vmdk", "base-000001-sesparse.vmdk",
                  "base.vmdk", 0x11110001, base_cid);

  c = dg_new (DG_COWD, SECTORS, 1);
  dg_set (c, 8, 8, DG_DATA, 3);           /* over the seSparse data */
  dg_set (c, 130, 8, DG_DATA, 4);         /* over the seSparse zeros */
  dg_set (c, 20000, 480, DG_DATA, 5);     /* over nothing */
  dg_write_delta (c, "base-000002.vmdk", "base-000002-delta.vmdk",
                  "base-000001.vmdk", 0x22220002, 0x11110001);

  test_compare_with_qemu ("base-000002.vmdk", NULL);
  test_compare_map_with_qemu ("base-000002.vmdk", NULL, true);

  disk = test_open ("base-000002.vmdk");
  e = test_status_at (disk, 0, 4096);
  CHECK (e.type == EXTENT_DATA && e.depth == 1);
  e = test_status_at (disk, 130 * 512, 512);
  CHECK (e.type == EXTENT_DATA && e.depth == 0);
  e = test_status_at (disk, 140 * 512, 512);
  CHECK (e.type == EXTENT_ZERO && e.depth == 1);
  e = test_status_at (disk, 5 << 20, 4096);
  CHECK (e.type == EXTENT_UNALLOCATED && e.depth == 2);
  e = test_status_at (disk, 2 << 20, 4096);
  CHECK (e.type == EXTENT_DATA && e.depth == 2);
  disk_close (disk);

  dg_free (s);
  dg_free (c);
  return 0;
}
