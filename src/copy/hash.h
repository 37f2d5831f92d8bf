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

/* Lower-case hex of a digest into out (HASH_HEX_SIZE bytes). */
void hash_to_hex (const uint8_t digest[HASH_DIGEST_SIZE],
                  char out[HASH_HEX_SIZE]);

#endif
