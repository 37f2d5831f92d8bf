/* test_copy_checkpoint_ranges_are_durable: every range the mover hands to
 * the checkpoint callback is already in the target file — a second,
 * independent open of the qcow2 image (its on-disk metadata, not the
 * writer's cache) reads the source's bytes there — and the batches cover
 * the disk exactly once. */
#include "copytest.h"

struct seen {
  struct disk *src;
  char *dst_path;
  range_vector ranges;
  unsigned calls;
};

static int
checkpoint (void *opaque, const struct range *done, size_t n)
{
  struct seen *s = opaque;
  struct disk *fresh = disk_open (s->dst_path, "qcow2", 0);

  CHECK (fresh != NULL);
  CHECK (n > 0);
  for (size_t i = 0; i < n; i++) {
    if (!test_disks_same (s->src, fresh, done[i].offset, done[i].length))
      FAIL ("range %llu+%llu was checkpointed but is not on disk",
            (unsigned long long) done[i].offset,
            (unsigned long long) done[i].length);
    CHECK (range_vector_append (&s->ranges, done[i]) == 0);
  }
  disk_close (fresh);
  s->calls++;
  return 0;
}

int
main (void)
{
  struct seen s = { .ranges = empty_vector };
  struct disk_create_options co = { .size = CT_SIZE };
  struct copy_options opts = {
    .workers = 3, .target_is_zero = true, .checkpoint = checkpoint,
    .checkpoint_interval = 1e-6, .opaque = &s,
  };
  struct copy_stats stats;
  struct disk *dst;
  range_vector rest = empty_vector;

  test_init (false);
  ct_make_source ("src.raw");
  s.src = test_open ("src.raw");
  s.dst_path = test_path ("dst.qcow2");
  CHECK (disk_create ("qcow2", s.dst_path, &co) == 0);
  dst = disk_open (s.dst_path, "qcow2", DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  CHECK (copy_disk (s.src, dst, &opts, &stats) == 0);
  disk_close (dst);

  CHECK (s.calls >= 2);
  CHECK (stats.bytes_checkpointed == CT_SIZE);
  CHECK (range_bytes (s.ranges.ptr, s.ranges.len) == CT_SIZE);
  CHECK (range_remaining (&s.ranges, CT_SIZE, &rest) == 0);
  CHECK (rest.len == 0);                      /* covered... */
  CHECK (range_normalize (&s.ranges) == 0);
  CHECK (range_bytes (s.ranges.ptr, s.ranges.len) == CT_SIZE); /* once */

  range_vector_reset (&s.ranges);
  range_vector_reset (&rest);
  disk_close (s.src);
  free (s.dst_path);
  return 0;
}
