/* hash.h: a digest of a disk's guest-visible content, for verification.
 *
 * The digest must not depend on the image format: a qcow2 zero cluster,
 * a raw hole and 64 KiB of written zeros read the same to the guest, so
 * they hash the same.  It is a two-level SHA-256 tree (ferry-sha256-tree-v1):
 *
 *   block digest  = SHA-256 (the 1 MiB block's bytes; the last one short)
 *   range digest  = SHA-256 (block digests of a 64 MiB range, in order)
 *   disk digest   = SHA-256 (range digests, in order)
 *
 * which lets ranges be hashed in parallel and lets blocks that read as
 * zeros (holes, zero extents) use a precomputed digest without reading
 * them.  Two disks of different sizes never have the same digest.
 */
#ifndef FERRY_COPY_HASH_H
#define FERRY_COPY_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "disk/disk.h"

#define HASH_BLOCK_SIZE (1u << 20)
#define HASH_RANGE_SIZE (64u << 20)
#define HASH_DIGEST_SIZE 32
#define HASH_HEX_SIZE (2 * HASH_DIGEST_SIZE + 1)

/* Digest the whole disk with `workers` threads (0 = from the machine).
 * progress (may be NULL) is called from workers with bytes finished.
 * Returns 0, or -1 with the error set. */
int hash_disk (struct disk *disk, unsigned workers,
               void (*progress) (void *opaque, uint64_t bytes), void *opaque,
               uint8_t digest[HASH_DIGEST_SIZE]);

/* The digest of a stream of guest bytes, range by range, for a reader that
 * already has the bytes (the mover hashes what it copies).  Feed one range
 * (HASH_RANGE_SIZE bytes from a multiple of it; the disk's last range may
 * be short) in order with hash_stream_data and hash_stream_zeros, then take
 * its digest with hash_stream_range_end, which readies the stream for the
 * next range.  One stream per thread. */
struct hash_stream {
  void *block;                  /* SHA-256 context of the current block */
  uint64_t block_fill;          /* bytes fed into it */
  size_t nr_blocks;             /* block digests of this range so far */
  uint8_t blocks[(HASH_RANGE_SIZE / HASH_BLOCK_SIZE) * HASH_DIGEST_SIZE];
};

int hash_stream_init (struct hash_stream *s);
void hash_stream_free (struct hash_stream *s);
int hash_stream_data (struct hash_stream *s, const void *buf, size_t len);
/* len bytes that read as zeros (whole zero blocks cost nothing). */
int hash_stream_zeros (struct hash_stream *s, uint64_t len);
int hash_stream_range_end (struct hash_stream *s,
                           uint8_t out[HASH_DIGEST_SIZE]);

/* One digest slot per range of a disk of `size` bytes (free with free),
 * or NULL with the error set; and the disk digest from the slots filled
 * in range order. */
uint8_t *hash_range_slots (uint64_t size);
int hash_ranges_digest (const uint8_t *slots, uint64_t size,
                        uint8_t out[HASH_DIGEST_SIZE]);

/* Lower-case hex of a digest into out (HASH_HEX_SIZE bytes). */
void hash_to_hex (const uint8_t digest[HASH_DIGEST_SIZE],
                  char out[HASH_HEX_SIZE]);

#endif
