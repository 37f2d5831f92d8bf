/* libvmdk (an independent reader, written from the same VMware
 * specification) reads a vmfsSparse chain byte for byte as ferry does.
 *
 * Where the readers stand: qemu and libvmdk agree on COWD deltas, and both
 * follow the specification (4096-entry GTs, sector-number GD and GT
 * entries, 0 = read the parent).  libvmdk 20200926 has no seSparse support
 * at all (its extent-type table stops at VMFS_SPARSE and it refuses the
 * descriptor: "unable to read extents"), so seSparse is checked against
 * qemu only (test_vmdk_delta_read_sesparse) and, here, libvmdk's refusal
 * is recorded so that a newer libvmdk that reads it gets compared too.
 * The Python bindings are those of the system python (/usr/bin/python3). */
#include <stdlib.h>
#include <unistd.h>

#include "deltagen.h"

#define SECTORS 12000
#define PY "/usr/bin/python3"

static void
write_ours (const char *name, const char *out)
{
  struct disk *disk = test_open (name);
  uint8_t *buf = malloc (disk->size);

  CHECK (buf != NULL);
  CHECK (disk_pread (disk, buf, disk->size, 0) == 0);
  test_write_file (out, buf, disk->size);
  free (buf);
  disk_close (disk);
}

/* Exit 0 = same bytes, 1 = different, 3 = libvmdk cannot open it. */
static const char script[] =
  "import sys, pyvmdk\n"
  "def op(n):\n"
  "  h = pyvmdk.handle(); h.open(n); h.open_extent_data_files(); return h\n"
  "try:\n"
  "  hs = [op(n) for n in sys.argv[2:]]\n"
  "except IOError as e:\n"
  "  print(e); sys.exit(3)\n"
  "for child, parent in zip(hs, hs[1:]):\n"
  "  child.set_parent(parent)\n"
  "h = hs[0]\n"
  "data = h.read_buffer_at_offset(h.get_media_size(), 0)\n"
  "ours = open(sys.argv[1], 'rb').read()\n"
  "if data != ours:\n"
  "  i = next(i for i in range(min(len(data), len(ours)))\n"
  "           if data[i] != ours[i]) if len(data) == len(ours) else -1\n"
  "  print('differs at', i, len(data), len(ours)); sys.exit(1)\n";

int
main (void)
{
  struct dg_delta *c1, *c2, *s;
  int r;

  test_init (false);
  if (test_run_status (PY " -c 'import pyvmdk' 2>/dev/null") != 0)
    SKIP ("libvmdk", "pyvmdk is not installed for " PY " (Debian: python3-libvmdk)");
  test_write_text ("cmp.py", script);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", SECTORS, 0xb00, 6);

  c1 = dg_new (DG_COWD, SECTORS, 1);
  dg_set (c1, 0, 10, DG_DATA, 1);
  dg_set (c1, 4090, 20, DG_DATA, 2);
  dg_write_delta (c1, "s1.vmdk", "s1-delta.vmdk", "base.vmdk", 0x1, 0xb00);
  c2 = dg_new (DG_COWD, SECTORS, 8);
  dg_set (c2, 0, 1, DG_DATA, 3);
  dg_set (c2, 1000, 50, DG_DATA, 4);
  dg_write_delta (c2, "s2.vmdk", "s2-delta.vmdk", "s1.vmdk", 0x2, 0x1);

  write_ours ("s2.vmdk", "ours.raw");
  test_run (PY " cmp.py ours.raw s2.vmdk s1.vmdk base.vmdk");

  s = dg_new (DG_SESPARSE, SECTORS, 8);
  dg_set (s, 0, 10, DG_DATA, 1);
  dg_write_delta (s, "se.vmdk", "se-sesparse.vmdk", "base.vmdk", 0x3, 0xb00);
  write_ours ("se.vmdk", "ours-se.raw");
  r = test_run_status (PY " cmp.py ours-se.raw se.vmdk base.vmdk");
  if (r == 3)
    fprintf (stderr, "libvmdk cannot read seSparse (expected for 20200926)\n");
  else
    CHECK (r == 0);

  dg_free (c1);
  dg_free (c2);
  dg_free (s);
  return 0;
}
