/* hash.c: the ferry-sha256-tree-v1 digest; see hash.h.
 *
 * Workers take whole 64 MiB ranges from a shared counter and write each
 * range digest into its slot; the disk digest is computed at the end in
 * range order, so the result does not depend on scheduling.  Memory: one
 * 1 MiB buffer per worker plus 32 bytes per range (2 MiB for 4 TiB).
 *
 * A range is hashed as a stream (struct hash_stream): blocks are fed in
 * order, whole zero blocks take a digest computed once, and the block
 * digests are kept until the range ends.  The mover feeds the same streams
 * with what it copies, so a migration need not read its source twice.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "copy/copy.h"
#include "copy/hash.h"
#include "util/checked.h"
#include "util/error.h"
#include "util/interrupt.h"

struct hash_job {
  struct disk *disk;
  uint64_t nr_ranges;
  uint8_t *range_digests;       /* nr_ranges * HASH_DIGEST_SIZE */
  void (*progress) (void *opaque, uint64_t bytes);
  void *opaque;

  pthread_mutex_t lock;         /* protects what follows */
  uint64_t next_range;
  bool failed;
  struct error_saved error;
};

/* Zeros to feed a partial block from, and the digest of a whole zero
 * block, computed once. */
static const uint8_t zeros[64 * 1024];
static uint8_t zero_block_digest[HASH_DIGEST_SIZE];
static bool zero_block_digest_ok;
static pthread_once_t zero_block_once = PTHREAD_ONCE_INIT;

static int
hash_sha256 (const void *data, size_t len, uint8_t out[HASH_DIGEST_SIZE])
{
  unsigned int n;

  if (EVP_Digest (data, len, out, &n, EVP_sha256 (), NULL) != 1) {
    error_set ("hash: SHA-256 failed");
    return -1;
  }
  return 0;
}

static void
hash_zero_block_init (void)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  unsigned int n;
  bool ok = ctx && EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) == 1;

  for (size_t done = 0; ok && done < HASH_BLOCK_SIZE; done += sizeof zeros)
    ok = EVP_DigestUpdate (ctx, zeros, sizeof zeros) == 1;
  zero_block_digest_ok = ok
    && EVP_DigestFinal_ex (ctx, zero_block_digest, &n) == 1;
  EVP_MD_CTX_free (ctx);
}

void
hash_to_hex (const uint8_t digest[HASH_DIGEST_SIZE], char out[HASH_HEX_SIZE])
{
  static const char hex[] = "0123456789abcdef";

  for (int i = 0; i < HASH_DIGEST_SIZE; i++) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  out[2 * HASH_DIGEST_SIZE] = '\0';
}

int
hash_stream_init (struct hash_stream *s)
{
  memset (s, 0, sizeof *s);
  pthread_once (&zero_block_once, hash_zero_block_init);
  s->block = EVP_MD_CTX_new ();
  if (!zero_block_digest_ok || s->block == NULL
      || EVP_DigestInit_ex (s->block, EVP_sha256 (), NULL) != 1) {
    hash_stream_free (s);
    error_set ("hash: cannot set up SHA-256");
    return -1;
  }
  return 0;
}

void
hash_stream_free (struct hash_stream *s)
{
  EVP_MD_CTX_free (s->block);
  s->block = NULL;
}

/* The next block digest goes to slot nr_blocks: there are only so many. */
static uint8_t *
hash_stream_next_slot (struct hash_stream *s)
{
  if (s->nr_blocks >= HASH_RANGE_SIZE / HASH_BLOCK_SIZE) {
    error_set ("hash: more than one range fed before its end");
    return NULL;
  }
  return s->blocks + s->nr_blocks++ * HASH_DIGEST_SIZE;
}

static int
hash_stream_end_block (struct hash_stream *s)
{
  uint8_t *slot = hash_stream_next_slot (s);
  unsigned int n;

  if (slot == NULL)
    return -1;
  if (EVP_DigestFinal_ex (s->block, slot, &n) != 1
      || EVP_DigestInit_ex (s->block, EVP_sha256 (), NULL) != 1) {
    error_set ("hash: SHA-256 failed");
    return -1;
  }
  s->block_fill = 0;
  return 0;
}

int
hash_stream_data (struct hash_stream *s, const void *buf, size_t len)
{
  const uint8_t *p = buf;

  while (len > 0) {
    size_t n = min_u64 (len, HASH_BLOCK_SIZE - s->block_fill);

    if (EVP_DigestUpdate (s->block, p, n) != 1) {
      error_set ("hash: SHA-256 failed");
      return -1;
    }
    s->block_fill += n;
    p += n;
    len -= n;
    if (s->block_fill == HASH_BLOCK_SIZE && hash_stream_end_block (s) == -1)
      return -1;
  }
  return 0;
}

int
hash_stream_zeros (struct hash_stream *s, uint64_t len)
{
  while (len > 0) {
    if (s->block_fill == 0 && len >= HASH_BLOCK_SIZE) {
      uint8_t *slot = hash_stream_next_slot (s);
      if (slot == NULL)
        return -1;
      memcpy (slot, zero_block_digest, HASH_DIGEST_SIZE);
      len -= HASH_BLOCK_SIZE;
      continue;
    }
    size_t n = min_u64 (len, min_u64 (sizeof zeros,
                                      HASH_BLOCK_SIZE - s->block_fill));
    if (hash_stream_data (s, zeros, n) == -1)
      return -1;
    len -= n;
  }
  return 0;
}

int
hash_stream_range_end (struct hash_stream *s, uint8_t out[HASH_DIGEST_SIZE])
{
  size_t nr;

  if (s->block_fill > 0 && hash_stream_end_block (s) == -1)
    return -1;
  nr = s->nr_blocks;
  s->nr_blocks = 0;
  return hash_sha256 (s->blocks, nr * HASH_DIGEST_SIZE, out);
}

static uint64_t
hash_nr_ranges (uint64_t size)
{
  return size / HASH_RANGE_SIZE + (size % HASH_RANGE_SIZE != 0);
}

uint8_t *
hash_range_slots (uint64_t size)
{
  /* One more, so that an empty disk still gets a pointer to free. */
  uint8_t *slots = calloc (hash_nr_ranges (size) + 1, HASH_DIGEST_SIZE);

  if (slots == NULL)
    error_set_errno (errno, "hash: allocating range digests");
  return slots;
}

int
hash_ranges_digest (const uint8_t *slots, uint64_t size,
                    uint8_t out[HASH_DIGEST_SIZE])
{
  return hash_sha256 (slots, hash_nr_ranges (size) * HASH_DIGEST_SIZE, out);
}

/* Whether [offset, offset+len) reads as zeros without reading it. */
static int
hash_block_is_hole (struct disk *disk, uint64_t offset, uint64_t len,
                    bool *hole)
{
  uint64_t end = offset + len;

  while (offset < end) {
    struct extent e;
    if (disk_block_status (disk, offset, end - offset, &e) == -1)
      return -1;
    if (e.type == EXTENT_DATA) {
      *hole = false;
      return 0;
    }
    offset += e.length;
  }
  *hole = true;
  return 0;
}

static int
hash_range (struct hash_job *job, uint64_t range, struct hash_stream *s,
            char *buf, uint8_t out[HASH_DIGEST_SIZE])
{
  struct disk *disk = job->disk;
  uint64_t start = range * HASH_RANGE_SIZE;
  uint64_t end = min_u64 (start + HASH_RANGE_SIZE, disk->size);

  for (uint64_t offset = start; offset < end; offset += HASH_BLOCK_SIZE) {
    uint64_t len = min_u64 (HASH_BLOCK_SIZE, end - offset);
    bool hole;

    if (interrupt_check () == -1
        || hash_block_is_hole (disk, offset, len, &hole) == -1)
      return -1;
    if (hole ? hash_stream_zeros (s, len) == -1
             : (disk_pread (disk, buf, len, offset) == -1
                || hash_stream_data (s, buf, len) == -1))
      return -1;
    if (job->progress)
      job->progress (job->opaque, len);
  }
  return hash_stream_range_end (s, out);
}

static void
hash_fail (struct hash_job *job)
{
  pthread_mutex_lock (&job->lock);
  if (!job->failed) {
    job->failed = true;
    error_save (&job->error);
  }
  pthread_mutex_unlock (&job->lock);
}

static void *
hash_worker (void *arg)
{
  struct hash_job *job = arg;
  struct hash_stream *s = malloc (sizeof *s);
  char *buf = copy_buffer_alloc (HASH_BLOCK_SIZE);

  if (s == NULL)
    error_set_errno (errno, "hash: allocating");
  if (s == NULL || buf == NULL || hash_stream_init (s) == -1) {
    hash_fail (job);
    free (s);
    free (buf);
    return NULL;
  }
  for (;;) {
    uint64_t range;

    pthread_mutex_lock (&job->lock);
    range = job->next_range++;
    if (job->failed || range >= job->nr_ranges) {
      pthread_mutex_unlock (&job->lock);
      break;
    }
    pthread_mutex_unlock (&job->lock);

    if (hash_range (job, range, s, buf,
                    job->range_digests + range * HASH_DIGEST_SIZE) == -1) {
      hash_fail (job);
      break;
    }
  }
  hash_stream_free (s);
  free (s);
  free (buf);
  return NULL;
}

int
hash_disk (struct disk *disk, unsigned workers,
           void (*progress) (void *opaque, uint64_t bytes), void *opaque,
           uint8_t digest[HASH_DIGEST_SIZE])
{
  struct hash_job job = {
    .disk = disk, .progress = progress, .opaque = opaque,
  };
  pthread_t threads[COPY_MAX_WORKERS];
  unsigned started = 0;
  int r = -1;

  job.nr_ranges = hash_nr_ranges (disk->size);
  job.range_digests = hash_range_slots (disk->size);
  if (job.range_digests == NULL)
    return -1;

  pthread_mutex_init (&job.lock, NULL);
  workers = copy_default_workers (workers);
  for (unsigned i = 0; i < workers; i++) {
    int e = pthread_create (&threads[i], NULL, hash_worker, &job);
    if (e != 0) {
      error_set_errno (e, "hash: starting worker %u", i);
      hash_fail (&job);
      break;
    }
    started++;
  }
  for (unsigned i = 0; i < started; i++)
    pthread_join (threads[i], NULL);
  pthread_mutex_destroy (&job.lock);

  if (job.failed)
    error_restore (&job.error);
  else
    r = hash_ranges_digest (job.range_digests, disk->size, digest);
  free (job.range_digests);
  return r;
}
