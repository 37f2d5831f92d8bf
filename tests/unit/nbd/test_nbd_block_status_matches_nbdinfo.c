/* Block status over NBD says zero exactly where base:allocation says ZERO
 * (as `nbdinfo --map` reads it), data elsewhere, and nothing is ever
 * unallocated: an NBD disk has no backing layer. */
#include "nbdtest.h"

int
main (void)
{
  range_vector zero = empty_vector, theirs = empty_vector;
  const struct range unwritten[] = {
    { 0, 1ull << 20 },
    /* never written, then zeroed: one stretch of zeros */
    { (1ull << 20) + (128ull << 10), (4ull << 20) - (128ull << 10) },
    { 6ull << 20, 10ull << 20 },
    { 56ull << 20, NT_SIZE - (56ull << 20) - (64ull << 10) },
  };
  const char *uri;
  struct disk *d;
  uint64_t off;

  nt_init ();
  nt_make_image ();
  uri = nt_serve_qemu ("nbd.sock", "test.qcow2", NULL);
  d = nt_open (uri, NULL);
  for (off = 0; off < d->size;) {
    struct extent e = test_status_at (d, off, d->size - off);

    CHECK (e.type == EXTENT_DATA || e.type == EXTENT_ZERO);
    if (e.type == EXTENT_ZERO)
      CHECK (range_vector_append (&zero, (struct range) {
               .offset = off, .length = e.length }) == 0);
    off += e.length;
  }
  range_normalize (&zero);
  nt_expect_ranges ("zero extents", &zero, unwritten, NT_NR (unwritten));
  if (nt_nbdinfo_map (uri, "base:allocation", 2, &theirs))
    nt_expect_ranges ("zero extents against nbdinfo", &zero, theirs.ptr,
                      theirs.len);
  range_vector_reset (&zero);
  range_vector_reset (&theirs);
  disk_close (d);
  return 0;
}
