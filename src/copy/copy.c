/* copy.c: the parallel sparse mover; see copy.h.
 *
 * Work is cut into WORK_SIZE ranges (aligned to the target's write_align, so
 * that two workers never write into one qcow2 cluster) and handed out under
 * one mutex.  Each worker walks the source's block status over its range:
 * data is read in request-sized pieces and written block by block, all-zero
 * blocks skipped; zero and unallocated extents are skipped when the target
 * already reads as zeros, else zeroed in the target.
 *
 * The first error stops every worker; it is carried back to the caller's
 * thread with error_save/error_restore.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/copy.h"
#include "util/checked.h"
#include "util/error.h"
#include "util/log.h"

#define DEFAULT_REQUEST_SIZE (4u << 20)
#define WORK_SIZE (64ull << 20)
/* Granularity of zero detection inside data extents. */
#define ZERO_BLOCK_MIN 4096u

struct copy_job {
  struct disk *src;
  struct disk *dst;
  const struct copy_options *opts;
  struct copy_range whole;
  const struct copy_range *ranges;
  size_t nr_ranges;
  uint64_t work_size;
  uint32_t zero_block;
  size_t request_size;

  pthread_mutex_t lock;      /* protects everything below */
  size_t next_range;         /* index into ranges */
  uint64_t next_offset;      /* inside ranges[next_range] */
  bool failed;
  struct error_saved error;
  struct copy_stats stats;
};

bool
copy_is_zero (const void *buf, size_t len)
{
  const unsigned char *p = buf;
  size_t head = len < 16 ? len : 16;

  for (size_t i = 0; i < head; i++)
    if (p[i])
      return false;
  /* The first 16 bytes are zero: the rest is zero if it equals itself
   * shifted by 16 bytes. */
  return len <= 16 || memcmp (p, p + 16, len - 16) == 0;
}

unsigned
copy_default_workers (unsigned requested)
{
  long cpus;

  if (requested > 0)
    return requested > COPY_MAX_WORKERS ? COPY_MAX_WORKERS : requested;
  /* Two workers per CPU keep reads and writes overlapped. */
  cpus = sysconf (_SC_NPROCESSORS_ONLN);
  if (cpus < 1)
    cpus = 1;
  return cpus * 2 > 8 ? 8 : (unsigned) (cpus * 2);
}

/* Take the next work range, or return false when none is left. */
static bool
copy_next_work (struct copy_job *job, uint64_t *offset, uint64_t *length)
{
  bool found = false;

  pthread_mutex_lock (&job->lock);
  while (!job->failed && job->next_range < job->nr_ranges) {
    const struct copy_range *r = &job->ranges[job->next_range];
    uint64_t end = r->offset + r->length;
    uint64_t start = job->next_offset > r->offset ? job->next_offset : r->offset;
    if (start < end) {
      /* cut at the next multiple of work_size so workers stay aligned */
      uint64_t stop = min_u64 (end, round_down (start, job->work_size)
                                      + job->work_size);
      *offset = start;
      *length = stop - start;
      job->next_offset = stop;
      found = true;
      break;
    }
    job->next_range++;
  }
  pthread_mutex_unlock (&job->lock);
  return found;
}

static void
copy_fail (struct copy_job *job)
{
  pthread_mutex_lock (&job->lock);
  if (!job->failed) {
    job->failed = true;
    error_save (&job->error);
  }
  pthread_mutex_unlock (&job->lock);
}

static bool
copy_has_failed (struct copy_job *job)
{
  bool failed;

  pthread_mutex_lock (&job->lock);
  failed = job->failed;
  pthread_mutex_unlock (&job->lock);
  return failed;
}

/* Write buf (count bytes at offset) to the target, skipping all-zero
 * blocks.  Adjacent non-zero blocks go out in one write. */
static int
copy_write_data (struct copy_job *job, const char *buf, size_t count,
                 uint64_t offset, struct copy_stats *stats)
{
  size_t pos = 0, run_start = 0;
  bool in_run = false;

  while (pos < count) {
    uint64_t abs = offset + pos;
    size_t n = min_u64 (count - pos,
                        round_down (abs, job->zero_block) + job->zero_block - abs);
    bool zero = copy_is_zero (buf + pos, n);

    if (zero && in_run) {
      if (disk_pwrite (job->dst, buf + run_start, pos - run_start,
                       offset + run_start) == -1)
        return -1;
      stats->bytes_written += pos - run_start;
      in_run = false;
    }
    if (zero) {
      if (!job->opts->target_is_zero
          && disk_zero (job->dst, abs, n) == -1)
        return -1;
      stats->bytes_skipped += n;
    }
    else if (!in_run) {
      run_start = pos;
      in_run = true;
    }
    pos += n;
  }
  if (in_run) {
    if (disk_pwrite (job->dst, buf + run_start, count - run_start,
                     offset + run_start) == -1)
      return -1;
    stats->bytes_written += count - run_start;
  }
  return 0;
}

static int
copy_work_range (struct copy_job *job, char *buf, uint64_t offset,
                 uint64_t length, struct copy_stats *stats)
{
  uint64_t end = offset + length;

  while (offset < end) {
    struct extent e;

    if (copy_has_failed (job))
      return 0;
    if (disk_block_status (job->src, offset, end - offset, &e) == -1)
      return -1;
    if (e.type == EXTENT_DATA) {
      uint64_t pos = offset;
      while (pos < offset + e.length) {
        size_t n = min_u64 (offset + e.length - pos, job->request_size);
        if (disk_pread_layer (job->src, e.depth, buf, n, pos) == -1)
          return -1;
        stats->bytes_read += n;
        if (copy_write_data (job, buf, n, pos, stats) == -1)
          return -1;
        if (job->opts->progress)
          job->opts->progress (job->opts->opaque, n);
        pos += n;
      }
    }
    else {
      if (!job->opts->target_is_zero
          && disk_zero (job->dst, offset, e.length) == -1)
        return -1;
      stats->bytes_skipped += e.length;
      if (job->opts->progress)
        job->opts->progress (job->opts->opaque, e.length);
    }
    offset += e.length;
  }
  return 0;
}

static void *
copy_worker (void *arg)
{
  struct copy_job *job = arg;
  struct copy_stats stats = { 0 };
  uint64_t offset, length;
  char *buf;

  buf = malloc (job->request_size);
  if (buf == NULL) {
    error_set_errno (errno, "copy: allocating a %zu byte buffer",
                     job->request_size);
    copy_fail (job);
    return NULL;
  }
  while (copy_next_work (job, &offset, &length)) {
    if (copy_work_range (job, buf, offset, length, &stats) == -1) {
      copy_fail (job);
      break;
    }
  }
  free (buf);

  pthread_mutex_lock (&job->lock);
  job->stats.bytes_read += stats.bytes_read;
  job->stats.bytes_written += stats.bytes_written;
  job->stats.bytes_skipped += stats.bytes_skipped;
  pthread_mutex_unlock (&job->lock);
  return NULL;
}

int
copy_disk (struct disk *src, struct disk *dst,
           const struct copy_options *opts, struct copy_stats *stats)
{
  struct copy_job job = { .src = src, .dst = dst, .opts = opts };
  pthread_t threads[COPY_MAX_WORKERS];
  unsigned workers, started = 0;
  uint64_t align = dst->write_align ? dst->write_align : 512;

  job.ranges = opts->ranges;
  job.nr_ranges = opts->nr_ranges;
  if (job.ranges == NULL) {
    job.whole.offset = 0;
    job.whole.length = src->size;
    job.ranges = &job.whole;
    job.nr_ranges = 1;
  }
  for (size_t i = 0; i < job.nr_ranges; i++) {
    uint64_t end;
    if (checked_add (job.ranges[i].offset, job.ranges[i].length, &end)
        || end > src->size || end > dst->size) {
      error_set ("copy: range %zu ends past the end of %s or %s", i,
                 src->path, dst->path);
      return -1;
    }
  }
  /* Work ranges and zero blocks must not split a target block between
   * workers or writes. */
  job.work_size = round_up (WORK_SIZE, align);
  job.zero_block = max_u64 (ZERO_BLOCK_MIN, align);
  job.request_size = opts->request_size ? opts->request_size
                                        : DEFAULT_REQUEST_SIZE;
  job.request_size = round_up (max_u64 (job.request_size, job.zero_block),
                               job.zero_block);
  workers = copy_default_workers (opts->workers);
  pthread_mutex_init (&job.lock, NULL);

  for (unsigned i = 0; i < workers; i++) {
    int r = pthread_create (&threads[i], NULL, copy_worker, &job);
    if (r != 0) {
      error_set_errno (r, "copy: starting worker %u", i);
      copy_fail (&job);
      break;
    }
    started++;
  }
  for (unsigned i = 0; i < started; i++)
    pthread_join (threads[i], NULL);
  pthread_mutex_destroy (&job.lock);

  job.stats.workers = started;
  if (stats)
    *stats = job.stats;
  if (job.failed) {
    error_restore (&job.error);
    return -1;
  }
  log_debug ("copy: %u workers, %zu byte requests, read %llu, wrote %llu",
             started, job.request_size,
             (unsigned long long) job.stats.bytes_read,
             (unsigned long long) job.stats.bytes_written);
  return disk_flush (dst);
}
