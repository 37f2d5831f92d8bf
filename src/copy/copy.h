/* copy.h: the data mover.
 *
 * "Copy these ranges of this view into that image": the source is a disk
 * chain (any layer may hold the data), the target an image opened for
 * writing.  The mover walks the source's block status, never reads holes,
 * never writes zeros into a target known to read as zeros, and skips blocks
 * of allocated data that are all zero.  Several workers take fixed-size work
 * ranges from one queue; each has its own buffer, so peak memory is
 * workers x request size whatever the image size.
 *
 * The same interface serves whole-disk conversion (ranges = NULL) and, later,
 * incremental syncs and resumed copies (ranges = the changed or unfinished
 * extents).
 */
#ifndef FERRY_COPY_COPY_H
#define FERRY_COPY_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copy/hash.h"
#include "disk/disk.h"
#include "util/range.h"

struct copy_options {
  unsigned workers;          /* 0 = chosen from the number of CPUs */
  size_t request_size;       /* bytes per read/write; 0 = default */
  bool target_is_zero;       /* target reads as zeros: skip zero ranges */
  /* The target holds an earlier copy of (most of) these bytes, which can
   * no longer be trusted in detail (a resync after the source lost track
   * of its changes): read it back and write only the blocks that differ;
   * zero ranges are zeroed only where the target holds data.  Implies
   * !target_is_zero. */
  bool compare;
  const struct range *ranges;  /* sorted, disjoint; NULL = whole disk */
  size_t nr_ranges;
  /* Called from worker threads with the number of guest bytes finished. */
  void (*progress) (void *opaque, uint64_t bytes);
  void *opaque;

  /* Resumable copies (NULL = none).  The work ranges that are finished
   * (every byte written or zeroed) are handed to checkpoint in batches,
   * each batch only after a disk_flush (dst) that began after the last of
   * its ranges finished: every range named is durable, data and the image
   * metadata that reaches it.  A batch is cut at most every
   * checkpoint_interval seconds (0 = COPY_CHECKPOINT_INTERVAL) by the
   * worker that finishes a range then, and once at the end (also after a
   * failure, when the flush still works).  Never called concurrently.
   * Returning -1 (error set) stops the copy: copy_disk fails with that
   * error — the way to cancel a copy.
   * Other workers keep reading meanwhile; their writes wait for the
   * flush. */
  int (*checkpoint) (void *opaque, const struct range *done, size_t n);
  double checkpoint_interval;

  /* Limit on data read from the source, bytes per second (0 = none), so
   * that a copy from a busy production datastore leaves it room. */
  uint64_t bandwidth;

  /* Also digest the source (hash.h) from the bytes as they are copied, so
   * that verifying needs to read only the target.  Done when the copy
   * covers the whole disk in one go (ranges NULL or the one range
   * [0, size)); stats->hashed tells whether it was. */
  bool hash;
};

#define COPY_CHECKPOINT_INTERVAL 2.0

struct copy_stats {
  uint64_t bytes_read;       /* data read from the source */
  uint64_t bytes_checkpointed; /* in ranges handed to checkpoint */
  uint64_t bytes_written;    /* data written to the target */
  uint64_t bytes_skipped;    /* holes, zero extents and all-zero blocks */
  uint64_t bytes_same;       /* compare: blocks the target already held */
  unsigned workers;          /* how many ran */
  bool hashed;               /* digest holds the source's digest */
  uint8_t digest[HASH_DIGEST_SIZE];
};

#define COPY_MAX_WORKERS 16

/* Copy src's guest-visible content into dst over the given ranges.  dst must
 * be at least as large as the ranges.  Returns 0, or -1 with the error set;
 * on error the target holds a partial copy. */
int copy_disk (struct disk *src, struct disk *dst,
               const struct copy_options *opts, struct copy_stats *stats);

/* The worker count for `requested` (0 = from the machine). */
unsigned copy_default_workers (unsigned requested);

/* A page-aligned I/O buffer (free with free), or NULL with the error
 * set. */
void *copy_buffer_alloc (size_t size);

/* Whether len bytes at buf are all zero. */
bool copy_is_zero (const void *buf, size_t len);

/* Compare the guest-visible content of two disks.  Sizes may differ: the
 * longer one must then read as zeros past the shorter one's end.
 * Returns 0 identical, 1 different (*first_difference set), -1 error. */
int copy_compare (struct disk *a, struct disk *b, uint64_t *first_difference);

#endif
