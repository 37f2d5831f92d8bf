/* The extents that qemu's dirty bitmap marks, read through the
 * "qemu:dirty-bitmap:b0" meta context, are exactly the ranges written
 * since the bitmap was added (writes of zeros included), and what
 * `nbdinfo --map` says too. */
#include "nbdtest.h"

int
main (void)
{
  range_vector got = empty_vector, theirs = empty_vector;
  const char *uri;
  struct disk *d;

  nt_init ();
  nt_make_image ();
  uri = nt_serve_qemu ("nbd.sock", "test.qcow2", "b0");
  d = nt_open (uri, "qemu:dirty-bitmap:b0");
  CHECK (nbd_disk_context_extents (d, "qemu:dirty-bitmap:b0", 1, &got) == 0);
  nt_expect_ranges ("dirty bitmap", &got, nt_dirty, NT_NR (nt_dirty));
  if (nt_nbdinfo_map (uri, "qemu:dirty-bitmap:b0", 1, &theirs))
    nt_expect_ranges ("dirty bitmap against nbdinfo", &got, theirs.ptr,
                      theirs.len);

  /* appended after what out holds already, never merged into it */
  got.len = 1;
  got.ptr[0] = (struct range) { 0, 1ull << 20 };
  CHECK (nbd_disk_context_extents (d, "qemu:dirty-bitmap:b0", 1, &got) == 0);
  CHECK (got.len == 1 + NT_NR (nt_dirty));
  CHECK (got.ptr[0].offset == 0 && got.ptr[0].length == 1ull << 20);
  CHECK (got.ptr[1].offset == nt_dirty[0].offset);

  /* no bit of the mask: nothing */
  got.len = 0;
  CHECK (nbd_disk_context_extents (d, "qemu:dirty-bitmap:b0", 2, &got) == 0);
  CHECK (got.len == 0);

  range_vector_reset (&got);
  range_vector_reset (&theirs);
  disk_close (d);
  return 0;
}
