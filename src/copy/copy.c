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
 *
 * Hashing while copying (opts->hash): work ranges are then the 64 MiB
 * hash ranges, each worker feeds its range's bytes, read or known to be
 * zeros, to its own hash_stream in order, and the range digest goes into
 * the range's slot; the disk digest is taken from the slots at the end.
 *
 * Comparing (opts->compare, a resync): each worker also reads the
 * target's bytes of every request into a second buffer, and blocks equal
 * to the source's are neither written nor zeroed.
 *
 * Checkpoints (resumable copies): a worker that finishes a work range adds
 * it to job->finished while it holds the lock to take its next range
 * anyway, so checkpointing adds no lock and no system call per request.
 * When the interval has passed, that worker takes the whole list, flushes
 * the target (so every range in the list is durable: they all finished
 * before the flush began) and hands the list to opts->checkpoint; the
 * others keep copying meanwhile.  One checkpoint at a time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "copy/copy.h"
#include "util/checked.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/vector.h"

#define DEFAULT_REQUEST_SIZE (4u << 20)
#define WORK_SIZE (64ull << 20)
/* Granularity of zero detection inside data extents. */
#define ZERO_BLOCK_MIN 4096u


struct copy_job {
  struct disk *src;
  struct disk *dst;
  const struct copy_options *opts;
  struct range whole;
  const struct range *ranges;
  size_t nr_ranges;
  uint64_t work_size;
  uint32_t zero_block;
  size_t request_size;

  /* Writes to the target go one at a time: the kernel serialises writes
   * to one file anyway (the inode lock), and waiting here sleeps instead
   * of spinning, leaving the CPU to the other workers' reads. */
  pthread_mutex_t write_lock;

  pthread_mutex_t lock;      /* protects everything below */
  size_t next_range;         /* index into ranges */
  uint64_t next_offset;      /* inside ranges[next_range] */
  bool failed;
  struct error_saved error;
  struct copy_stats stats;
  range_vector finished;  /* finished, not yet checkpointed */
  bool checkpointing;          /* a worker is flushing and recording */
  bool flush_failed;           /* then nothing more is recorded */
  double last_checkpoint;      /* CLOCK_MONOTONIC seconds */
  double checkpoint_interval;
  double throttle_start;       /* when the copy began, for bandwidth */
  uint64_t throttled_bytes;    /* read so far, for bandwidth */

  /* Hashing while copying: one digest per work range, which is then one
   * hash range; NULL when not hashing.  Each slot has one writer. */
  uint8_t *range_digests;
};

static double
copy_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Buffers start on a page.  malloc puts a large block 16 bytes into a
 * page, and the kernel's copy from the page cache into a buffer that is not
 * cache-line aligned costs about 1.6 times the CPU (reading from tmpfs on
 * x86-64).  Such a buffer would also do for O_DIRECT. */
void *
copy_buffer_alloc (size_t size)
{
  void *buf;
  int r = posix_memalign (&buf, 4096, size);

  if (r != 0) {
    error_set_errno (r, "allocating a %zu byte I/O buffer", size);
    return NULL;
  }
  return buf;
}

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

/* Record that a work range is finished (with the lock held); when a
 * checkpoint is due and none runs, move the finished list to *batch. */
static void
copy_finished_locked (struct copy_job *job, const struct range *done,
                      range_vector *batch)
{
  double now;

  if (range_vector_append (&job->finished, *done) == -1) {
    if (!job->failed) {
      job->failed = true;
      error_save (&job->error);
    }
    return;
  }
  if (job->checkpointing)
    return;
  now = copy_now ();
  if (now - job->last_checkpoint < job->checkpoint_interval)
    return;
  *batch = job->finished;
  job->finished = (range_vector) empty_vector;
  job->checkpointing = true;
  job->last_checkpoint = now;
}

/* Take the next work range, or return false when none is left.  done (or
 * NULL) is the range the caller just finished; *batch receives a
 * checkpoint batch the caller must run (see copy_checkpoint). */
static bool
copy_next_work (struct copy_job *job, const struct range *done,
                uint64_t *offset, uint64_t *length, range_vector *batch)
{
  bool found = false;

  pthread_mutex_lock (&job->lock);
  if (done && job->opts->checkpoint && !job->failed)
    copy_finished_locked (job, done, batch);
  while (!job->failed && job->next_range < job->nr_ranges) {
    const struct range *r = &job->ranges[job->next_range];
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

static void copy_fail (struct copy_job *job);

/* Make a batch of finished ranges durable, then hand it over. */
static void
copy_checkpoint (struct copy_job *job, range_vector *batch)
{
  bool flushed;
  int r;

  /* No write in flight during the flush (writes already go one at a time
   * under write_lock): the driver's flush then never races a write, and
   * every range of the batch finished before it began. */
  pthread_mutex_lock (&job->write_lock);
  r = disk_flush (job->dst);
  pthread_mutex_unlock (&job->write_lock);
  flushed = r == 0;
  if (r == 0)
    r = job->opts->checkpoint (job->opts->opaque, batch->ptr, batch->len);
  pthread_mutex_lock (&job->lock);
  if (r == 0)
    job->stats.bytes_checkpointed += range_bytes (batch->ptr, batch->len);
  if (!flushed)
    job->flush_failed = true;
  job->checkpointing = false;
  pthread_mutex_unlock (&job->lock);
  if (r == -1)
    copy_fail (job);
  range_vector_reset (batch);
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

static int
copy_pwrite (struct copy_job *job, const char *buf, size_t count,
             uint64_t offset)
{
  int r;

  pthread_mutex_lock (&job->write_lock);
  r = disk_pwrite (job->dst, buf, count, offset);
  pthread_mutex_unlock (&job->write_lock);
  return r;
}

static int
copy_zero (struct copy_job *job, uint64_t offset, uint64_t length)
{
  int r;

  pthread_mutex_lock (&job->write_lock);
  r = disk_zero (job->dst, offset, length);
  pthread_mutex_unlock (&job->write_lock);
  return r;
}

/* Write buf (count bytes at offset) to the target, skipping all-zero
 * blocks, and with old (the target's bytes there, or NULL) the blocks it
 * holds already.  Adjacent blocks to write go out in one write. */
static int
copy_write_data (struct copy_job *job, const char *buf, const char *old,
                 size_t count, uint64_t offset, struct copy_stats *stats)
{
  size_t pos = 0, run_start = 0;
  bool in_run = false;

  while (pos < count) {
    uint64_t abs = offset + pos;
    size_t n = min_u64 (count - pos,
                        round_down (abs, job->zero_block) + job->zero_block - abs);
    bool same = old && memcmp (buf + pos, old + pos, n) == 0;
    bool zero = same || copy_is_zero (buf + pos, n);

    if (zero && in_run) {
      if (copy_pwrite (job, buf + run_start, pos - run_start,
                       offset + run_start) == -1)
        return -1;
      stats->bytes_written += pos - run_start;
      in_run = false;
    }
    if (same)
      stats->bytes_same += n;
    else if (zero) {
      if (!job->opts->target_is_zero
          && copy_zero (job, abs, n) == -1)
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
    if (copy_pwrite (job, buf + run_start, count - run_start,
                     offset + run_start) == -1)
      return -1;
    stats->bytes_written += count - run_start;
  }
  return 0;
}

/* Hold the worker back so that data is read at no more than
 * opts->bandwidth bytes per second, counted from the start of the copy. */
static void
copy_throttle (struct copy_job *job, uint64_t bytes)
{
  double due, now;

  if (job->opts->bandwidth == 0)
    return;
  pthread_mutex_lock (&job->lock);
  job->throttled_bytes += bytes;
  due = job->throttle_start
    + (double) job->throttled_bytes / job->opts->bandwidth;
  pthread_mutex_unlock (&job->lock);
  now = copy_now ();
  if (due > now) {
    struct timespec ts = { .tv_sec = (time_t) (due - now) };
    ts.tv_nsec = (long) ((due - now - ts.tv_sec) * 1e9);
    while (nanosleep (&ts, &ts) == -1 && errno == EINTR)
      ;
  }
}

/* Make a range of the target read as zeros: all of it, or with
 * opts->compare only the extents where the target holds data. */
static int
copy_zero_range (struct copy_job *job, uint64_t offset, uint64_t length)
{
  uint64_t end = offset + length;

  if (!job->opts->compare)
    return copy_zero (job, offset, length);
  while (offset < end) {
    struct extent e;

    if (disk_block_status (job->dst, offset, end - offset, &e) == -1
        || (e.type == EXTENT_DATA && copy_zero (job, offset, e.length) == -1))
      return -1;
    offset += e.length;
  }
  return 0;
}

/* Copy one work range; with hs, also feed it every guest byte of the
 * range in order and put the range's digest in its slot.  old: a second
 * buffer, for opts->compare. */
static int
copy_work_range (struct copy_job *job, char *buf, char *old, uint64_t offset,
                 uint64_t length, struct copy_stats *stats,
                 struct hash_stream *hs)
{
  uint64_t start = offset, end = offset + length;

  while (offset < end) {
    struct extent e;

    if (copy_has_failed (job))
      return 0;
    if (interrupt_check () == -1
        || disk_block_status (job->src, offset, end - offset, &e) == -1)
      return -1;
    if (e.type == EXTENT_DATA) {
      uint64_t pos = offset;
      while (pos < offset + e.length) {
        size_t n = min_u64 (offset + e.length - pos, job->request_size);
        if (disk_pread_layer (job->src, e.depth, buf, n, pos) == -1)
          return -1;
        stats->bytes_read += n;
        copy_throttle (job, n);
        if ((old && disk_pread (job->dst, old, n, pos) == -1)
            || copy_write_data (job, buf, old, n, pos, stats) == -1
            || (hs && hash_stream_data (hs, buf, n) == -1))
          return -1;
        if (job->opts->progress)
          job->opts->progress (job->opts->opaque, n);
        pos += n;
      }
    }
    else {
      if ((!job->opts->target_is_zero
           && copy_zero_range (job, offset, e.length) == -1)
          || (hs && hash_stream_zeros (hs, e.length) == -1))
        return -1;
      stats->bytes_skipped += e.length;
      if (job->opts->progress)
        job->opts->progress (job->opts->opaque, e.length);
    }
    offset += e.length;
  }
  if (hs)
    return hash_stream_range_end (hs, job->range_digests
                                      + start / HASH_RANGE_SIZE
                                        * HASH_DIGEST_SIZE);
  return 0;
}

static void *
copy_worker (void *arg)
{
  struct copy_job *job = arg;
  struct copy_stats stats = { 0 };
  range_vector batch = empty_vector;
  struct range done;
  bool have_done = false;
  uint64_t offset, length;
  struct hash_stream hs, *hsp = job->range_digests ? &hs : NULL;
  char *buf, *old = NULL;

  buf = copy_buffer_alloc (job->request_size);
  if (buf && job->opts->compare)
    old = copy_buffer_alloc (job->request_size);
  if (buf == NULL || (job->opts->compare && old == NULL)
      || (hsp && hash_stream_init (hsp) == -1)) {
    copy_fail (job);
    free (buf);
    free (old);
    return NULL;
  }
  for (;;) {
    bool more = copy_next_work (job, have_done ? &done : NULL, &offset,
                                &length, &batch);
    if (batch.len > 0)
      copy_checkpoint (job, &batch);
    if (!more)
      break;
    if (copy_work_range (job, buf, old, offset, length, &stats, hsp) == -1) {
      copy_fail (job);
      break;
    }
    /* a range cut short by another worker's failure is not finished */
    have_done = !copy_has_failed (job);
    done.offset = offset;
    done.length = length;
  }
  if (hsp)
    hash_stream_free (hsp);
  free (buf);
  free (old);

  pthread_mutex_lock (&job->lock);
  job->stats.bytes_read += stats.bytes_read;
  job->stats.bytes_written += stats.bytes_written;
  job->stats.bytes_skipped += stats.bytes_skipped;
  job->stats.bytes_same += stats.bytes_same;
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

  if (opts->compare && opts->target_is_zero) {
    error_set ("copy: comparing with a target that reads as zeros");
    return -1;
  }
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
  job.checkpoint_interval = opts->checkpoint_interval > 0
    ? opts->checkpoint_interval : COPY_CHECKPOINT_INTERVAL;
  job.last_checkpoint = job.throttle_start = copy_now ();
  /* Work ranges are then exactly the hash ranges. */
  if (opts->hash && job.nr_ranges == 1 && job.ranges[0].offset == 0
      && job.ranges[0].length == src->size
      && job.work_size == HASH_RANGE_SIZE
      && (job.range_digests = hash_range_slots (src->size)) == NULL)
    return -1;
  pthread_mutex_init (&job.lock, NULL);
  pthread_mutex_init (&job.write_lock, NULL);

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
  pthread_mutex_destroy (&job.write_lock);

  job.stats.workers = started;
  if (job.failed) {
    /* Keep what is finished (a cancel, an error in one range): if the
     * target still flushes, its ranges are durable.  Not after a failed
     * flush: the kernel may have dropped the pages it could not write and
     * report success on the next fdatasync, and a range another worker
     * finished during that flush had written some of them. */
    if (opts->checkpoint && job.finished.len > 0 && !job.flush_failed
        && disk_flush (dst) == 0
        && opts->checkpoint (opts->opaque, job.finished.ptr,
                             job.finished.len) == 0)
      job.stats.bytes_checkpointed += range_bytes (job.finished.ptr, job.finished.len);
    range_vector_reset (&job.finished);
    free (job.range_digests);
    if (stats)
      *stats = job.stats;
    error_restore (&job.error);
    return -1;
  }
  log_debug ("copy: %u workers, %zu byte requests, read %llu, wrote %llu",
             started, job.request_size,
             (unsigned long long) job.stats.bytes_read,
             (unsigned long long) job.stats.bytes_written);
  if (disk_flush (dst) == -1)
    goto fail;
  if (job.range_digests) {
    if (hash_ranges_digest (job.range_digests, src->size,
                            job.stats.digest) == -1)
      goto fail;
    job.stats.hashed = true;
  }
  if (opts->checkpoint && job.finished.len > 0) {
    if (opts->checkpoint (opts->opaque, job.finished.ptr, job.finished.len)
        == -1)
      goto fail;
    job.stats.bytes_checkpointed += range_bytes (job.finished.ptr, job.finished.len);
  }
  range_vector_reset (&job.finished);
  free (job.range_digests);
  if (stats)
    *stats = job.stats;
  return 0;
fail:
  range_vector_reset (&job.finished);
  free (job.range_digests);
  if (stats)
    *stats = job.stats;
  return -1;
}
