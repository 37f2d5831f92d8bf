/* qcow2_l2.c: the qcow2 L2 table cache, and writing L2 tables and the
 * L1 table back at a flush.
 *
 * Written from the format specification (QEMU docs/interop/qcow2.txt).
 *
 * L2 tables are read on demand into a fixed number of slots (CLOCK
 * eviction), entries converted to host byte order; a table made or changed
 * by a write stays dirty in its slot until qcow2_flush_locked writes it
 * back, and the L1 entries that changed are tracked as one dirty range.
 * Everything here runs with q->lock held.
 *
 * This file must never evict a dirty table without writing it back first,
 * nor read an L2 table whose L1 entry is misaligned or points past the
 * end of the file.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "disk/disk.h"
#include "disk/qcow2_internal.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"

void
qcow2_l2_free (struct qcow2_l2 *t)
{
  if (t) {
    free (t->entries);
    free (t);
  }
}

/* Find a free cache slot, evicting a clean table (CLOCK).  When every slot
 * holds a dirty table, flush the metadata first. */
static int
qcow2_cache_take_slot (struct disk *disk, size_t *slot)
{
  struct qcow2 *q = disk->priv;

  for (int attempt = 0; attempt < 2; attempt++) {
    for (size_t step = 0; step < 2 * q->n_slots; step++) {
      size_t i = q->hand;
      struct qcow2_l2 *t = q->slots[i];

      q->hand = (q->hand + 1) % q->n_slots;
      if (t == NULL) {
        *slot = i;
        return 0;
      }
      if (t->dirty)
        continue;
      if (t->referenced) {
        t->referenced = false;
        continue;
      }
      q->l2_by_index[t->l1_index] = NULL;
      qcow2_l2_free (t);
      q->slots[i] = NULL;
      *slot = i;
      return 0;
    }
    /* Every table is dirty: write them back, then they can go. */
    if (qcow2_flush_locked (disk) == -1)
      return -1;
  }
  error_set ("qcow2: %s: L2 cache: no slot could be freed", disk->path);
  return -1;
}

static void
qcow2_l1_mark_dirty (struct qcow2 *q, uint32_t index)
{
  if (!q->l1_dirty) {
    q->l1_dirty = true;
    q->l1_dirty_lo = q->l1_dirty_hi = index;
  }
  else {
    if (index < q->l1_dirty_lo)
      q->l1_dirty_lo = index;
    if (index > q->l1_dirty_hi)
      q->l1_dirty_hi = index;
  }
}

/* The L2 table for l1_index.  *out = NULL when it is unallocated and
 * `allocate` is false; with `allocate`, a new zeroed table is made. */
int
qcow2_l2_get (struct disk *disk, uint32_t l1_index, bool allocate,
              struct qcow2_l2 **out)
{
  struct qcow2 *q = disk->priv;
  struct qcow2_l2 *t;
  uint64_t l2_offset, end;
  size_t slot;

  *out = NULL;
  if (l1_index >= q->h.l1_size) {
    error_set ("qcow2: %s: L1 index %" PRIu32 " out of range (L1 size %"
               PRIu32 ")", disk->path, l1_index, q->h.l1_size);
    return -1;
  }
  t = q->l2_by_index[l1_index];
  if (t) {
    t->referenced = true;
    *out = t;
    return 0;
  }

  l2_offset = q->l1[l1_index] & QCOW2_OFFSET_MASK;
  if (l2_offset == 0 && !allocate)
    return 0;
  if (l2_offset != 0) {
    if (l2_offset & (q->cluster_size - 1)) {
      error_set ("qcow2: %s: L2 table %" PRIu32 " is not cluster-aligned "
                 "(offset %" PRIu64 ")", disk->path, l1_index, l2_offset);
      return -1;
    }
    if (checked_add (l2_offset, q->cluster_size, &end)
        || end > q->file_size) {
      error_set ("qcow2: %s: L2 table %" PRIu32 " points past end of file "
                 "(offset %" PRIu64 ", size %" PRIu64 ")",
                 disk->path, l1_index, l2_offset, q->file_size);
      return -1;
    }
  }

  if (qcow2_cache_take_slot (disk, &slot) == -1)
    return -1;
  t = calloc (1, sizeof *t);
  if (t == NULL || (t->entries = malloc (q->cluster_size)) == NULL) {
    error_set_errno (errno, "qcow2: %s: allocating an L2 table", disk->path);
    free (t);
    return -1;
  }
  t->l1_index = l1_index;
  t->referenced = true;

  if (l2_offset == 0) {
    uint64_t host;

    memset (t->entries, 0, q->cluster_size);
    if (qcow2_alloc_clusters (disk, 1, &host) == -1) {
      qcow2_l2_free (t);
      return -1;
    }
    t->dirty = true;
    q->l1[l1_index] = host | QCOW2_OFLAG_COPIED;
    qcow2_l1_mark_dirty (q, l1_index);
  }
  else {
    if (disk_file_pread (disk, t->entries, q->cluster_size, l2_offset) == -1) {
      error_prefix ("qcow2: reading L2 table %" PRIu32, l1_index);
      qcow2_l2_free (t);
      return -1;
    }
    for (size_t i = 0; i < q->cluster_size / 8; i++)
      t->entries[i] = be64toh (t->entries[i]);
  }
  q->slots[slot] = t;
  q->l2_by_index[l1_index] = t;
  *out = t;
  return 0;
}

int
qcow2_write_l2 (struct disk *disk, struct qcow2_l2 *t, uint64_t *scratch)
{
  struct qcow2 *q = disk->priv;

  for (size_t i = 0; i < q->cluster_size / 8; i++)
    scratch[i] = htobe64 (t->entries[i]);
  if (qcow2_write_host (disk, scratch, q->cluster_size,
                        q->l1[t->l1_index] & QCOW2_OFFSET_MASK) == -1)
    return -1;
  t->dirty = false;
  return 0;
}

int
qcow2_write_l1 (struct disk *disk)
{
  struct qcow2 *q = disk->priv;
  uint32_t n = q->l1_dirty_hi - q->l1_dirty_lo + 1;
  CLEANUP_FREE uint64_t *buf = malloc ((size_t) n * 8);

  if (buf == NULL) {
    error_set_errno (errno, "qcow2: %s: malloc", disk->path);
    return -1;
  }
  for (uint32_t i = 0; i < n; i++)
    buf[i] = htobe64 (q->l1[q->l1_dirty_lo + i]);
  if (qcow2_write_host (disk, buf, (size_t) n * 8,
                        q->h.l1_table_offset + (uint64_t) q->l1_dirty_lo * 8)
      == -1)
    return -1;
  q->l1_dirty = false;
  return 0;
}
