/* A delta extent file opened on its own (no descriptor, so no parent)
 * opens as a one-extent layer: its grains read as stored, the rest as
 * zeros.  qemu refuses a bare COWD file (it looks for a CID in the binary
 * header: "Invalid argument") and probes a bare seSparse file as raw, and
 * libvmdk needs the descriptor, so there is nothing to compare with: the
 * expected bytes come from the generator. */
#include <stdlib.h>
#include <string.h>

#include "deltagen.h"
#include "disk/vmdk.h"

#define SECTORS 9000

static void
check_bare (struct dg_delta *d, const char *extent, const char *type)
{
  uint8_t *expected = malloc (d->sectors * 512);
  struct disk *disk;
  const struct vmdk_descriptor *desc;

  CHECK (expected != NULL);
  dg_write_extent (d, extent);
  dg_expected (d, NULL, expected);
  dg_expect_disk (extent, 0, expected, d->sectors * 512);

  disk = test_open (extent);
  CHECK (disk->backing == NULL);
  CHECK (strcmp (disk->driver->name, "vmdk") == 0);
  desc = vmdk_get_descriptor (disk);
  CHECK (desc != NULL && desc->n_extents == 1);
  CHECK (strcmp (vmdk_extent_type_name (desc->extents[0].type), type) == 0);
  disk_close (disk);
  free (expected);
}

int
main (void)
{
  struct dg_delta *c, *s;

  test_init (false);
  c = dg_new (DG_COWD, SECTORS, 1);
  dg_set (c, 0, 5, DG_DATA, 1);
  dg_set (c, 4096, 100, DG_DATA, 2);
  check_bare (c, "x-delta.vmdk", "VMFSSPARSE");

  s = dg_new (DG_SESPARSE, SECTORS, 8);
  dg_set (s, 0, 2, DG_DATA, 1);
  dg_set (s, 2, 2, DG_ZERO, 0);
  dg_set (s, s->n_grains - 1, 1, DG_DATA, 2);   /* partial last grain */
  check_bare (s, "x-sesparse.vmdk", "SESPARSE");

  dg_free (c);
  dg_free (s);
  return 0;
}
