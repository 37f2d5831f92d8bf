/* qcow2_refcount.c: qcow2 refcounts and cluster allocation, for images
 * opened for writing.
 *
 * Written from the format specification (QEMU docs/interop/qcow2.txt).
 *
 * Clusters are only ever appended at the end of the file (q->next_free)
 * and never reused.  Refcount blocks are read on demand and changed in
 * memory; a refcount table that runs out of room is replaced by a larger
 * one at the end of the file, which the header points at from the next
 * flush on.  qcow2_flush_locked (qcow2.c) decides when blocks and table
 * reach the disk.  Everything here but qcow2_open_for_writing runs with
 * q->lock held.
 *
 * This file must never allocate in an image opened read-only, nor reuse or
 * free a cluster that is still referenced on disk (a replaced refcount
 * table is freed only once the header no longer points at it).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "disk/disk.h"
#include "disk/qcow2_internal.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/endian.h"
#include "util/error.h"
#include "util/log.h"

/* Writable images: load the refcount table, clear autoclear bits. */
int
qcow2_open_for_writing (struct disk *disk)
{
  struct qcow2 *q = disk->priv;
  const struct qcow2_header *h = &q->h;
  uint64_t bytes = (uint64_t) h->refcount_table_clusters * q->cluster_size;
  CLEANUP_FREE uint8_t *buf = NULL;

  if (h->refcount_order != 4) {
    error_set ("qcow2: %s: writing images with refcount_bits=%u is not "
               "supported (only 16)", disk->path, 1u << h->refcount_order);
    return -1;
  }
  if (q->extended_l2) {
    error_set ("qcow2: %s: writing images with extended L2 entries is not "
               "supported", disk->path);
    return -1;
  }
  if (h->nb_snapshots != 0) {
    error_set ("qcow2: %s: writing images with internal snapshots is not "
               "supported", disk->path);
    return -1;
  }
  if (h->incompatible_features & QCOW2_INCOMPAT_DIRTY) {
    error_set ("qcow2: %s: the image is dirty (lazy refcounts); repair it "
               "with \"qemu-img check -r all\" before writing", disk->path);
    return -1;
  }
  if (bytes == 0 || bytes > QCOW2_MAX_REFTABLE_BYTES) {
    error_set ("qcow2: %s: refcount table size %" PRIu64 " is out of range",
               disk->path, bytes);
    return -1;
  }

  buf = malloc (bytes);
  q->reftable_entries = bytes / 8;
  q->reftable = malloc (bytes);
  q->refblocks = calloc (q->reftable_entries, sizeof *q->refblocks);
  q->refblock_dirty = calloc (q->reftable_entries, sizeof *q->refblock_dirty);
  if (buf == NULL || q->reftable == NULL || q->refblocks == NULL
      || q->refblock_dirty == NULL) {
    error_set_errno (errno, "qcow2: %s: allocating the refcount table",
                     disk->path);
    return -1;
  }
  if (disk_file_pread (disk, buf, bytes, h->refcount_table_offset) == -1) {
    error_prefix ("qcow2: reading the refcount table");
    return -1;
  }
  for (uint64_t i = 0; i < q->reftable_entries; i++)
    q->reftable[i] = get_be64 (buf + i * 8);
  q->reftable_offset = h->refcount_table_offset;
  q->reftable_clusters = h->refcount_table_clusters;
  q->next_free = round_up (q->file_size, q->cluster_size);
  q->file_size = q->next_free;

  /* Autoclear features we do not maintain must be cleared by a writer. */
  if (h->autoclear_features != 0) {
    uint8_t zero[8] = { 0 };

    if (qcow2_write_host (disk, zero, sizeof zero, 88) == -1
        || qcow2_sync (disk) == -1)
      return -1;
    q->h.autoclear_features = 0;
  }
  disk->write_align = q->cluster_size;
  return 0;
}

/* Hand out n clusters at the end of the file, bumping next_free. */
static int
qcow2_reserve (struct disk *disk, uint64_t n, uint64_t *host)
{
  struct qcow2 *q = disk->priv;
  uint64_t end;

  if (checked_mul_add (n, q->cluster_size, q->next_free, &end)
      || end > INT64_MAX) {
    error_set ("qcow2: %s: image file would grow past the largest offset",
               disk->path);
    return -1;
  }
  *host = q->next_free;
  q->next_free = end;
  if (end > q->file_size)
    q->file_size = end;
  return 0;
}

/* Replace the refcount table by a larger one at the end of the file.  The
 * header switches to it at the next flush; the table it replaces is freed
 * only after that. */
static int
qcow2_reftable_grow (struct disk *disk, uint64_t min_entries)
{
  struct qcow2 *q = disk->priv;
  uint64_t per_cluster = q->cluster_size / 8;
  uint64_t entries, clusters, bytes, offset;
  uint64_t prev_offset = q->reftable_offset;
  uint32_t prev_clusters = q->reftable_clusters;
  uint64_t *table;
  uint8_t **blocks;
  bool *dirty;

  entries = round_up (max_u64 (min_entries, q->reftable_entries * 2),
                      per_cluster);
  for (;;) {
    uint64_t end_cluster;

    clusters = entries / per_cluster;
    /* Room for the table itself and the refcount blocks covering it. */
    end_cluster = (q->next_free >> q->h.cluster_bits) + clusters + 4;
    if ((end_cluster >> q->refblock_bits) < entries)
      break;
    entries += per_cluster;
  }
  bytes = clusters * q->cluster_size;
  if (bytes > QCOW2_MAX_REFTABLE_BYTES || clusters > UINT32_MAX) {
    error_set ("qcow2: %s: refcount table would grow beyond %u bytes",
               disk->path, QCOW2_MAX_REFTABLE_BYTES);
    return -1;
  }

  table = realloc (q->reftable, entries * sizeof *table);
  if (table == NULL)
    goto nomem;
  q->reftable = table;
  blocks = realloc (q->refblocks, entries * sizeof *blocks);
  if (blocks == NULL)
    goto nomem;
  q->refblocks = blocks;
  dirty = realloc (q->refblock_dirty, entries * sizeof *dirty);
  if (dirty == NULL)
    goto nomem;
  q->refblock_dirty = dirty;
  for (uint64_t i = q->reftable_entries; i < entries; i++) {
    q->reftable[i] = 0;
    q->refblocks[i] = NULL;
    q->refblock_dirty[i] = false;
  }
  q->reftable_entries = entries;

  if (qcow2_reserve (disk, clusters, &offset) == -1)
    return -1;
  q->reftable_offset = offset;
  q->reftable_clusters = clusters;
  q->reftable_dirty = true;
  q->header_dirty = true;
  log_debug ("qcow2: %s: refcount table grows to %" PRIu64 " clusters at %"
             PRIu64, disk->path, clusters, offset);

  if (!q->old_reftable_pending) {
    q->old_reftable_pending = true;
    q->old_reftable_offset = prev_offset;
    q->old_reftable_clusters = prev_clusters;
  }
  else {
    /* The table being replaced was never committed to the header. */
    for (uint64_t i = 0; i < prev_clusters; i++)
      if (qcow2_refcount_set (disk, (prev_offset >> q->h.cluster_bits) + i,
                              0) == -1)
        return -1;
  }
  for (uint64_t i = 0; i < clusters; i++)
    if (qcow2_refcount_set (disk, (offset >> q->h.cluster_bits) + i, 1) == -1)
      return -1;
  return 0;

nomem:
  error_set_errno (errno, "qcow2: %s: growing the refcount table",
                   disk->path);
  return -1;
}

int
qcow2_refcount_set (struct disk *disk, uint64_t cluster, uint16_t value)
{
  struct qcow2 *q = disk->priv;
  uint64_t index = cluster >> q->refblock_bits;
  uint64_t in_block = cluster & ((1ULL << q->refblock_bits) - 1);

  if (index >= q->reftable_entries
      && qcow2_reftable_grow (disk, index + 1) == -1)
    return -1;

  if (q->refblocks[index] == NULL) {
    uint64_t block_offset = q->reftable[index] & QCOW2_REFTABLE_MASK;
    uint8_t *block = malloc (q->cluster_size);
    uint64_t end;

    if (block == NULL) {
      error_set_errno (errno, "qcow2: %s: allocating a refcount block",
                       disk->path);
      return -1;
    }
    if (block_offset == 0) {
      /* A new block, appended; it counts itself (maybe in itself). */
      memset (block, 0, q->cluster_size);
      if (qcow2_reserve (disk, 1, &block_offset) == -1) {
        free (block);
        return -1;
      }
      q->refblocks[index] = block;
      q->refblock_dirty[index] = true;
      q->reftable[index] = block_offset;
      q->reftable_dirty = true;
      if (qcow2_refcount_set (disk, block_offset >> q->h.cluster_bits,
                              1) == -1)
        return -1;
    }
    else {
      if ((block_offset & (q->cluster_size - 1))
          || checked_add (block_offset, q->cluster_size, &end)
          || end > q->file_size) {
        error_set ("qcow2: %s: refcount block %" PRIu64 " is outside the "
                   "file or misaligned (offset %" PRIu64 ", size %" PRIu64
                   ")", disk->path, index, block_offset, q->file_size);
        free (block);
        return -1;
      }
      if (disk_file_pread (disk, block, q->cluster_size, block_offset) == -1) {
        error_prefix ("qcow2: reading refcount block %" PRIu64, index);
        free (block);
        return -1;
      }
      q->refblocks[index] = block;
    }
  }
  put_be16 (q->refblocks[index] + in_block * 2, value);
  q->refblock_dirty[index] = true;
  return 0;
}

/* Allocate n contiguous clusters with refcount 1.  Refcount blocks this
 * needs land after them, so the run stays contiguous. */
int
qcow2_alloc_clusters (struct disk *disk, uint64_t n, uint64_t *host)
{
  struct qcow2 *q = disk->priv;

  if (!disk->writable) {
    error_set ("qcow2: %s: internal error: allocating in a read-only image",
               disk->path);
    return -1;
  }
  if (qcow2_reserve (disk, n, host) == -1)
    return -1;
  for (uint64_t i = 0; i < n; i++)
    if (qcow2_refcount_set (disk, (*host >> q->h.cluster_bits) + i,
                            1) == -1)
      return -1;
  return 0;
}

int
qcow2_write_refblocks (struct disk *disk, bool *wrote)
{
  struct qcow2 *q = disk->priv;

  for (uint64_t i = 0; i < q->reftable_entries; i++) {
    if (!q->refblock_dirty[i] || q->refblocks[i] == NULL)
      continue;
    if (qcow2_write_host (disk, q->refblocks[i], q->cluster_size,
                          q->reftable[i] & QCOW2_REFTABLE_MASK) == -1)
      return -1;
    q->refblock_dirty[i] = false;
    *wrote = true;
  }
  return 0;
}

int
qcow2_write_reftable (struct disk *disk)
{
  struct qcow2 *q = disk->priv;
  uint64_t bytes = (uint64_t) q->reftable_clusters * q->cluster_size;
  CLEANUP_FREE uint8_t *buf = calloc (1, bytes);

  if (buf == NULL) {
    error_set_errno (errno, "qcow2: %s: calloc", disk->path);
    return -1;
  }
  for (uint64_t i = 0; i < q->reftable_entries && i * 8 < bytes; i++)
    put_be64 (buf + i * 8, q->reftable[i]);
  if (qcow2_write_host (disk, buf, bytes, q->reftable_offset) == -1)
    return -1;
  q->reftable_dirty = false;
  return 0;
}
