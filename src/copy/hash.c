/* hash.c: the ferry-sha256-tree-v1 digest; see hash.h.
 *
 * Workers take whole 64 MiB ranges from a shared counter and write each
 * range digest into its slot; the disk digest is computed at the end in
 * range order, so the result does not depend on scheduling.  Memory: one
 * 1 MiB buffer per worker plus 32 bytes per range (2 MiB for 4 TiB).
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

struct hash_job {
  struct disk *disk;
  uint64_t nr_ranges;
  uint8_t *range_digests;       /* nr_ranges * HASH_DIGEST_SIZE */
  uint8_t zero_block_digest[HASH_DIGEST_SIZE];
  void (*progress) (void *opaque, uint64_t bytes);
  void *opaque;

  pthread_mutex_t lock;         /* protects what follows */
  uint64_t next_range;
  bool failed;
  struct error_saved error;
};

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
hash_range (struct hash_job *job, uint64_t range, char *buf,
            uint8_t out[HASH_DIGEST_SIZE])
{
  struct disk *disk = job->disk;
  uint64_t start = range * HASH_RANGE_SIZE;
  uint64_t end = min_u64 (start + HASH_RANGE_SIZE, disk->size);
  uint8_t blocks[(HASH_RANGE_SIZE / HASH_BLOCK_SIZE) * HASH_DIGEST_SIZE];
  size_t nr_blocks = 0;

  for (uint64_t offset = start; offset < end; offset += HASH_BLOCK_SIZE) {
    uint64_t len = min_u64 (HASH_BLOCK_SIZE, end - offset);
    uint8_t *digest = blocks + nr_blocks++ * HASH_DIGEST_SIZE;
    bool hole;

    if (hash_block_is_hole (disk, offset, len, &hole) == -1)
      return -1;
    if (hole && len == HASH_BLOCK_SIZE)
      memcpy (digest, job->zero_block_digest, HASH_DIGEST_SIZE);
    else if (hole) {
      memset (buf, 0, len);
      if (hash_sha256 (buf, len, digest) == -1)
        return -1;
    }
    else if (disk_pread (disk, buf, len, offset) == -1
             || hash_sha256 (buf, len, digest) == -1)
      return -1;
    if (job->progress)
      job->progress (job->opaque, len);
  }
  return hash_sha256 (blocks, nr_blocks * HASH_DIGEST_SIZE, out);
}

static void *
hash_worker (void *arg)
{
  struct hash_job *job = arg;
  char *buf = copy_buffer_alloc (HASH_BLOCK_SIZE);

  for (;;) {
    uint64_t range;

    pthread_mutex_lock (&job->lock);
    if (buf == NULL && !job->failed) {
      job->failed = true;
      error_save (&job->error);
    }
    range = job->next_range++;
    if (job->failed || range >= job->nr_ranges) {
      pthread_mutex_unlock (&job->lock);
      break;
    }
    pthread_mutex_unlock (&job->lock);

    if (hash_range (job, range, buf,
                    job->range_digests + range * HASH_DIGEST_SIZE) == -1) {
      pthread_mutex_lock (&job->lock);
      if (!job->failed) {
        job->failed = true;
        error_save (&job->error);
      }
      pthread_mutex_unlock (&job->lock);
      break;
    }
  }
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
  char *zeros;
  int r = -1;

  job.nr_ranges = (disk->size + HASH_RANGE_SIZE - 1) / HASH_RANGE_SIZE;
  job.range_digests = calloc (job.nr_ranges ? job.nr_ranges : 1,
                              HASH_DIGEST_SIZE);
  zeros = calloc (1, HASH_BLOCK_SIZE);
  if (job.range_digests == NULL || zeros == NULL) {
    error_set_errno (errno, "hash: %s: calloc", disk->path);
    goto out;
  }
  if (hash_sha256 (zeros, HASH_BLOCK_SIZE, job.zero_block_digest) == -1)
    goto out;

  pthread_mutex_init (&job.lock, NULL);
  workers = copy_default_workers (workers);
  for (unsigned i = 0; i < workers; i++) {
    int e = pthread_create (&threads[i], NULL, hash_worker, &job);
    if (e != 0) {
      error_set_errno (e, "hash: starting worker %u", i);
      pthread_mutex_lock (&job.lock);
      job.failed = true;
      error_save (&job.error);
      pthread_mutex_unlock (&job.lock);
      break;
    }
    started++;
  }
  for (unsigned i = 0; i < started; i++)
    pthread_join (threads[i], NULL);
  pthread_mutex_destroy (&job.lock);

  if (job.failed) {
    error_restore (&job.error);
    goto out;
  }
  r = hash_sha256 (job.range_digests, job.nr_ranges * HASH_DIGEST_SIZE,
                   digest);
out:
  free (zeros);
  free (job.range_digests);
  return r;
}
