/* test_copy_checkpoint_failure_stops_and_resumes: a checkpoint callback
 * returning -1 (a cancel) stops the copy with its error; the ranges it was
 * handed are finished; a second copy over only the remaining ranges, with
 * target_is_zero false, into the reopened image, makes it equal to the
 * source — including a range the first copy had half written with
 * garbage. */
#include "copytest.h"

struct seen {
  range_vector ranges;
  unsigned calls;
};

static int
cancel_on_second (void *opaque, const struct range *done, size_t n)
{
  struct seen *s = opaque;

  for (size_t i = 0; i < n; i++)
    CHECK (range_vector_append (&s->ranges, done[i]) == 0);
  if (++s->calls >= 2) {
    error_set ("cancelled by the test");
    return -1;
  }
  return 0;
}

int
main (void)
{
  struct seen s = { .ranges = empty_vector };
  struct disk_create_options co = { .size = CT_SIZE };
  struct copy_options opts = {
    .workers = 1, .target_is_zero = true, .checkpoint = cancel_on_second,
    .checkpoint_interval = 1e-6, .opaque = &s,
  };
  struct disk *src, *dst;
  char *dst_path;
  range_vector rest = empty_vector;
  uint8_t *junk = malloc (1 << 20);

  test_init (false);
  ct_make_source ("src.raw");
  src = test_open ("src.raw");
  dst_path = test_path ("dst.qcow2");
  CHECK (disk_create ("qcow2", dst_path, &co) == 0);
  dst = disk_open (dst_path, "qcow2", DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  CHECK (copy_disk (src, dst, &opts, NULL) == -1);
  CHECK (strstr (error_message (), "cancelled by the test") != NULL);
  CHECK (s.ranges.len >= 2);
  CHECK (range_bytes (s.ranges.ptr, s.ranges.len) < CT_SIZE);
  for (size_t i = 0; i < s.ranges.len; i++)
    CHECK (test_disks_same (src, dst, s.ranges.ptr[i].offset, s.ranges.ptr[i].length));

  /* Garbage in unfinished ranges: over a hole and over data. */
  CHECK (range_remaining (&s.ranges, CT_SIZE, &rest) == 0);
  CHECK (rest.len > 0);
  memset (junk, 0xa5, 1 << 20);
  CHECK (disk_pwrite (dst, junk, 1 << 20, rest.ptr[0].offset) == 0);
  CHECK (disk_pwrite (dst, junk, 1 << 20, CT_SIZE - (2 << 20)) == 0);
  disk_close (dst);

  dst = disk_open (dst_path, "qcow2", DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  opts.checkpoint = NULL;
  opts.workers = 2;
  opts.target_is_zero = false;
  opts.ranges = rest.ptr;
  opts.nr_ranges = rest.len;
  CHECK (copy_disk (src, dst, &opts, NULL) == 0);
  disk_close (dst);
  dst = disk_open (dst_path, "qcow2", 0);
  CHECK (dst != NULL);
  CHECK (copy_compare (src, dst, NULL) == 0);

  disk_close (dst);
  disk_close (src);
  range_vector_reset (&s.ranges);
  range_vector_reset (&rest);
  free (dst_path);
  free (junk);
  return 0;
}
