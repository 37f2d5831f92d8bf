/* qcow2.c: the qcow2 format, versions 2 and 3 (compat 0.10 and 1.1).
 *
 * Written from the format specification (QEMU docs/interop/qcow2.txt).
 *
 * This file is the driver proper: probe, open and close, reads, writes,
 * zeroing, block status and the order of a flush.  Reading and checking
 * the header and creating an image are in qcow2_header.c, the L2 table
 * cache in qcow2_l2.c, refcounts and cluster allocation in
 * qcow2_refcount.c; what the parts share is in qcow2_internal.h.
 *
 * Reading: the header and the L1 table are loaded at open, every field
 * checked before use; L2 tables are read on demand into a small cache
 * (CLOCK eviction) under q->lock.  Compressed clusters (zlib raw deflate or
 * zstd), v3 zero clusters and extended L2 entries (32 subclusters per
 * cluster) are understood.  Data is read outside the lock.
 *
 * Writing (v2 and v3, 16-bit refcounts, no snapshots, no extended L2):
 * clusters are only ever appended at the end of the file (q->next_free),
 * never reused, so a cluster freshly handed out has no readers.  A write
 *   1. plans under the lock: looks up each cluster, allocates the missing
 *      ones as one contiguous run (refcounts set in memory),
 *   2. writes the data outside the lock (one pwrite per host-contiguous run),
 *   3. links the new clusters into their L2 table under the lock.
 * So an L2 entry in memory never points at unwritten data.  Metadata stays
 * in memory until qcow2_flush_locked(), which writes in the order
 *   data (fdatasync) -> refcount blocks -> refcount table -> header ->
 *   L2 tables -> L1 table,
 * syncing between steps, so at every point on disk a structure is only
 * referenced once it has been written: a killed process leaks clusters but
 * never leaves a reference to garbage.
 *
 * This file must never write to a layer opened read-only, nor reuse or free
 * a cluster that is still referenced on disk.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>
#include <zstd.h>

#include "disk/disk.h"
#include "disk/qcow2_internal.h"
#include "util/checked.h"
#include "util/endian.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/json.h"
#include "util/log.h"

/* Where a guest range lives (see qcow2_map_locked). */
enum qcow2_map_type {
  QCOW2_MAP_DATA,
  QCOW2_MAP_COMPRESSED,
  QCOW2_MAP_ZERO,
  QCOW2_MAP_UNALLOCATED,
};

struct qcow2_map {
  enum qcow2_map_type type;
  uint64_t length;
  uint64_t host;                /* DATA: host offset of the first byte */
  uint64_t compressed_offset;   /* COMPRESSED */
  uint64_t compressed_length;
  uint64_t cluster_start;       /* COMPRESSED: guest offset of the cluster */
};

static int
qcow2_probe (const uint8_t *buf, size_t len, uint64_t file_size)
{
  (void) file_size;
  if (len >= 4 && get_be32 (buf) == QCOW2_MAGIC)
    return 100;
  return 0;
}

/*----------------------------------------------------------------------
 * Low-level I/O
 */

/* Lock held.  A failed sync is final for this open image: the kernel may
 * have dropped the pages it could not write back (and report success on
 * the next fdatasync), so metadata marked clean may not be on disk, and
 * writing L2 or L1 tables over it would reference clusters whose refcounts
 * or data were lost.  Reopening reads what is really there. */
int
qcow2_sync (struct disk *disk)
{
  struct qcow2 *q = disk->priv;

  if (q->sync_failed) {
    error_set ("qcow2: %s: an earlier flush failed; the image is not "
               "written to again until it is reopened", disk->path);
    return -1;
  }
  if (io_fdatasync (disk->fd, disk->path) == -1) {
    q->sync_failed = true;
    error_prefix ("qcow2");
    return -1;
  }
  return 0;
}

/* Read host bytes; what lies past the end of the file reads as zeros (the
 * last cluster of an image need not be complete on disk). */
static int
qcow2_read_host (struct disk *disk, void *buf, size_t count, uint64_t offset)
{
  int64_t file_size = disk_file_size (disk);
  size_t in_file;

  if (file_size == -1)
    return -1;
  in_file = (uint64_t) file_size > offset
              ? min_u64 (count, (uint64_t) file_size - offset) : 0;
  memset ((char *) buf + in_file, 0, count - in_file);
  if (in_file > 0 && disk_file_pread (disk, buf, in_file, offset) == -1) {
    error_prefix ("qcow2");
    return -1;
  }
  return 0;
}

int
qcow2_write_host (struct disk *disk, const void *buf, size_t count,
                  uint64_t offset)
{
  if (io_pwrite_full (disk->fd, buf, count, offset, disk->path) == -1) {
    error_prefix ("qcow2");
    return -1;
  }
  return 0;
}

/*----------------------------------------------------------------------
 * Mapping guest offsets
 */

/* Classify one cluster (or subcluster `sc` with extended L2). */
static int
qcow2_classify (struct disk *disk, uint32_t l1_index, uint64_t l2_index,
                uint64_t desc, uint64_t bitmap, unsigned sc,
                struct qcow2_map *m)
{
  struct qcow2 *q = disk->priv;

  memset (m, 0, sizeof *m);
  if (desc & QCOW2_OFLAG_COMPRESSED) {
    unsigned x = q->compressed_offset_bits;
    uint64_t offset = desc & ((1ULL << x) - 1);
    uint64_t sectors = (desc >> x) & ((1ULL << (62 - x)) - 1);
    uint64_t length = (sectors + 1) * 512 - (offset & 511);

    if (offset < 512) {
      error_set ("qcow2: %s: L2 table %" PRIu32 " entry %" PRIu64
                 ": compressed cluster inside the header (offset %" PRIu64
                 ")", disk->path, l1_index, l2_index, offset);
      return -1;
    }
    if (offset >= q->file_size) {
      error_set ("qcow2: %s: L2 table %" PRIu32 " entry %" PRIu64
                 ": compressed cluster points past end of file "
                 "(offset %" PRIu64 ", size %" PRIu64 ")",
                 disk->path, l1_index, l2_index, offset, q->file_size);
      return -1;
    }
    m->type = QCOW2_MAP_COMPRESSED;
    m->compressed_offset = offset;
    m->compressed_length = min_u64 (length, q->file_size - offset);
    return 0;
  }

  m->host = desc & QCOW2_OFFSET_MASK;
  if (q->extended_l2) {
    bool allocated = bitmap & (1ULL << sc);
    bool zero = (bitmap >> 32) & (1ULL << sc);

    if (allocated && zero) {
      error_set ("qcow2: %s: L2 table %" PRIu32 " entry %" PRIu64
                 ": subcluster %u is both allocated and zero",
                 disk->path, l1_index, l2_index, sc);
      return -1;
    }
    if (allocated) {
      if (m->host == 0) {
        error_set ("qcow2: %s: L2 table %" PRIu32 " entry %" PRIu64
                   ": allocated subcluster without a host cluster",
                   disk->path, l1_index, l2_index);
        return -1;
      }
      m->type = QCOW2_MAP_DATA;
    }
    else
      m->type = zero ? QCOW2_MAP_ZERO : QCOW2_MAP_UNALLOCATED;
  }
  else if (q->h.version >= 3 && (desc & QCOW2_OFLAG_ZERO))
    m->type = QCOW2_MAP_ZERO;
  else
    m->type = m->host ? QCOW2_MAP_DATA : QCOW2_MAP_UNALLOCATED;

  if (m->type == QCOW2_MAP_DATA) {
    if (m->host & (q->cluster_size - 1)) {
      error_set ("qcow2: %s: L2 table %" PRIu32 " entry %" PRIu64
                 ": data cluster is not cluster-aligned (offset %" PRIu64 ")",
                 disk->path, l1_index, l2_index, m->host);
      return -1;
    }
    if (m->host >= q->file_size) {
      error_set ("qcow2: %s: L2 table %" PRIu32 " entry %" PRIu64
                 " points past end of file (offset %" PRIu64 ", size %"
                 PRIu64 ")", disk->path, l1_index, l2_index, m->host,
                 q->file_size);
      return -1;
    }
  }
  return 0;
}

/* Describe [offset, offset+length) up to the end of its L2 table.  With
 * for_read, DATA extents are host-contiguous and a COMPRESSED extent covers
 * at most its cluster; otherwise compressed counts as DATA and any
 * same-type units are merged.  Lock held. */
static int
qcow2_map_locked (struct disk *disk, uint64_t offset, uint64_t length,
                  bool for_read, struct qcow2_map *m)
{
  struct qcow2 *q = disk->priv;
  unsigned cb = q->h.cluster_bits;
  uint64_t vcluster = offset >> cb;
  uint32_t l1_index = vcluster >> q->l2_bits;
  uint64_t table_end = ((uint64_t) l1_index + 1) << (q->l2_bits + cb);
  unsigned unit_bits = q->extended_l2 ? cb - 5 : cb;
  uint64_t end, pos, expected_host = 0;
  struct qcow2_l2 *t;
  bool first = true;

  end = offset + min_u64 (length, table_end - offset);
  if (qcow2_l2_get (disk, l1_index, false, &t) == -1)
    return -1;
  if (t == NULL) {
    m->type = QCOW2_MAP_UNALLOCATED;
    m->length = end - offset;
    return 0;
  }

  for (pos = offset; pos < end;) {
    uint64_t l2_index = (pos >> cb) & ((1ULL << q->l2_bits) - 1);
    uint64_t desc = t->entries[l2_index * q->entry_words];
    uint64_t bitmap = q->extended_l2 ? t->entries[l2_index * 2 + 1] : 0;
    unsigned sc = q->extended_l2 ? (pos >> unit_bits) & 31 : 0;
    uint64_t unit_end = ((pos >> unit_bits) + 1) << unit_bits;
    uint64_t in_cluster = pos & (q->cluster_size - 1);
    struct qcow2_map u;

    if (qcow2_classify (disk, l1_index, l2_index, desc, bitmap, sc, &u) == -1)
      return -1;
    if (u.type == QCOW2_MAP_COMPRESSED) {
      unit_end = (pos | (q->cluster_size - 1)) + 1;
      if (!for_read)
        u.type = QCOW2_MAP_DATA;
    }
    if (first) {
      *m = u;
      if (u.type == QCOW2_MAP_DATA)
        m->host = u.host + in_cluster;
      m->cluster_start = pos - in_cluster;
      expected_host = m->host;
      first = false;
    }
    else {
      if (u.type != m->type)
        break;
      if (for_read && u.type == QCOW2_MAP_COMPRESSED)
        break;
      if (for_read && u.type == QCOW2_MAP_DATA
          && u.host + in_cluster != expected_host)
        break;
    }
    unit_end = min_u64 (unit_end, end);
    expected_host += unit_end - pos;
    pos = unit_end;
    if (for_read && m->type == QCOW2_MAP_COMPRESSED)
      break;
  }
  m->length = pos - offset;
  return 0;
}

/*----------------------------------------------------------------------
 * Reading
 */

static ZSTD_DCtx *
qcow2_dctx_take (struct disk *disk)
{
  struct qcow2 *q = disk->priv;
  ZSTD_DCtx *d = NULL;

  pthread_mutex_lock (&q->lock);
  if (q->n_dctx > 0)
    d = q->dctx_pool[--q->n_dctx];
  pthread_mutex_unlock (&q->lock);
  if (d == NULL) {
    d = ZSTD_createDCtx ();
    if (d == NULL) {
      error_set ("qcow2: %s: cannot create a zstd context", disk->path);
      return NULL;
    }
    ZSTD_DCtx_setParameter (d, ZSTD_d_windowLogMax,
                            QCOW2_ZSTD_WINDOW_LOG_MAX);
  }
  return d;
}

static void
qcow2_dctx_give_back (struct disk *disk, ZSTD_DCtx *d)
{
  struct qcow2 *q = disk->priv;

  pthread_mutex_lock (&q->lock);
  if (q->n_dctx < QCOW2_DCTX_POOL) {
    q->dctx_pool[q->n_dctx++] = d;
    d = NULL;
  }
  pthread_mutex_unlock (&q->lock);
  ZSTD_freeDCtx (d);
}

static int
qcow2_inflate_zlib (struct disk *disk, const uint8_t *in, size_t in_len,
                    uint8_t *out, size_t out_len, uint64_t where)
{
  z_stream s;
  int r;

  memset (&s, 0, sizeof s);
  if (inflateInit2 (&s, -15) != Z_OK) {
    error_set ("qcow2: %s: zlib initialisation failed", disk->path);
    return -1;
  }
  s.next_in = (Bytef *) in;
  s.avail_in = in_len;
  s.next_out = out;
  s.avail_out = out_len;
  r = inflate (&s, Z_FINISH);
  inflateEnd (&s);
  if ((r == Z_STREAM_END || r == Z_OK || r == Z_BUF_ERROR)
      && s.avail_out == 0)
    return 0;
  error_set ("qcow2: %s: compressed cluster at offset %" PRIu64
             " is corrupt (zlib: %s)", disk->path, where,
             r == Z_STREAM_END ? "data ends before the cluster does"
             : s.msg ? s.msg : "truncated data");
  return -1;
}

static int
qcow2_inflate_zstd (struct disk *disk, const uint8_t *in, size_t in_len,
                    uint8_t *out, size_t out_len, uint64_t where)
{
  ZSTD_DCtx *d = qcow2_dctx_take (disk);
  ZSTD_inBuffer ib = { in, in_len, 0 };
  ZSTD_outBuffer ob = { out, out_len, 0 };
  const char *why = NULL;

  if (d == NULL)
    return -1;
  ZSTD_DCtx_reset (d, ZSTD_reset_session_only);
  while (ob.pos < ob.size) {
    size_t in_before = ib.pos, out_before = ob.pos;
    size_t r = ZSTD_decompressStream (d, &ob, &ib);

    if (ZSTD_isError (r)) {
      why = ZSTD_getErrorName (r);
      break;
    }
    if (r == 0 && ob.pos < ob.size) {
      why = "data ends before the cluster does";
      break;
    }
    if (ib.pos == in_before && ob.pos == out_before) {
      why = "truncated data";
      break;
    }
  }
  qcow2_dctx_give_back (disk, d);
  if (why) {
    error_set ("qcow2: %s: compressed cluster at offset %" PRIu64
               " is corrupt (zstd: %s)", disk->path, where, why);
    return -1;
  }
  return 0;
}

/* Decompress one cluster into out (cluster_size bytes). */
static int
qcow2_read_compressed (struct disk *disk, const struct qcow2_map *m,
                       uint8_t *out)
{
  struct qcow2 *q = disk->priv;
  CLEANUP_FREE uint8_t *in = malloc (m->compressed_length);

  if (in == NULL) {
    error_set_errno (errno, "qcow2: %s: malloc", disk->path);
    return -1;
  }
  if (qcow2_read_host (disk, in, m->compressed_length,
                       m->compressed_offset) == -1)
    return -1;
  if (q->h.compression_type == QCOW2_COMPRESSION_ZSTD)
    return qcow2_inflate_zstd (disk, in, m->compressed_length, out,
                               q->cluster_size, m->compressed_offset);
  return qcow2_inflate_zlib (disk, in, m->compressed_length, out,
                             q->cluster_size, m->compressed_offset);
}

static int
qcow2_pread (struct disk *disk, void *buf, size_t count, uint64_t offset)
{
  struct qcow2 *q = disk->priv;
  uint8_t *p = buf;

  while (count > 0) {
    struct qcow2_map m;
    int r;

    pthread_mutex_lock (&q->lock);
    r = qcow2_map_locked (disk, offset, count, true, &m);
    pthread_mutex_unlock (&q->lock);
    if (r == -1)
      return -1;

    switch (m.type) {
    case QCOW2_MAP_DATA:
      if (qcow2_read_host (disk, p, m.length, m.host) == -1)
        return -1;
      break;
    case QCOW2_MAP_COMPRESSED: {
      uint64_t skip = offset - m.cluster_start;

      if (skip == 0 && m.length == q->cluster_size) {
        if (qcow2_read_compressed (disk, &m, p) == -1)
          return -1;
      }
      else {
        CLEANUP_FREE uint8_t *cluster = malloc (q->cluster_size);
        if (cluster == NULL) {
          error_set_errno (errno, "qcow2: %s: malloc", disk->path);
          return -1;
        }
        if (qcow2_read_compressed (disk, &m, cluster) == -1)
          return -1;
        memcpy (p, cluster + skip, m.length);
      }
      break;
    }
    case QCOW2_MAP_ZERO:
    case QCOW2_MAP_UNALLOCATED:
      memset (p, 0, m.length);
      break;
    }
    p += m.length;
    offset += m.length;
    count -= m.length;
  }
  return 0;
}

static int
qcow2_block_status (struct disk *disk, uint64_t offset, uint64_t length,
                    struct extent *out)
{
  struct qcow2 *q = disk->priv;
  uint64_t done = 0;
  enum qcow2_map_type type = QCOW2_MAP_UNALLOCATED;
  int r = 0;

  /* Merge same-type extents across L2 tables too, within reason. */
  pthread_mutex_lock (&q->lock);
  for (unsigned i = 0; i < 256 && done < length; i++) {
    struct qcow2_map m;

    r = qcow2_map_locked (disk, offset + done, length - done, false, &m);
    if (r == -1)
      break;
    if (done > 0 && m.type != type)
      break;
    type = m.type;
    done += m.length;
  }
  pthread_mutex_unlock (&q->lock);
  if (r == -1) {
    if (done == 0)
      return -1;
    error_clear ();             /* reported when the caller gets there */
  }

  out->offset = offset;
  out->length = done;
  switch (type) {
  case QCOW2_MAP_DATA:
  case QCOW2_MAP_COMPRESSED:
    out->type = EXTENT_DATA;
    break;
  case QCOW2_MAP_ZERO:
    out->type = EXTENT_ZERO;
    break;
  case QCOW2_MAP_UNALLOCATED:
    out->type = EXTENT_UNALLOCATED;
    break;
  }
  return 0;
}

/*----------------------------------------------------------------------
 * Flushing metadata (lock held)
 */

/* Make every metadata change durable, in an order that never lets a
 * structure on disk point at something not yet written. */
int
qcow2_flush_locked (struct disk *disk)
{
  struct qcow2 *q = disk->priv;
  bool wrote_refblocks = false, any_l2 = false;
  CLEANUP_FREE uint64_t *scratch = NULL;

  /* 1. Guest data before anything that references it. */
  if (qcow2_sync (disk) == -1)
    return -1;
  if (!disk->writable)
    return 0;

  /* 2. Refcount blocks, then the table that points at them. */
  if (qcow2_write_refblocks (disk, &wrote_refblocks) == -1)
    return -1;
  if (q->reftable_dirty) {
    if (qcow2_sync (disk) == -1 || qcow2_write_reftable (disk) == -1)
      return -1;
    wrote_refblocks = true;
  }

  /* 3. A moved refcount table: switch the header, then free the old one. */
  if (q->header_dirty) {
    uint8_t field[12];

    put_be64 (field, q->reftable_offset);
    put_be32 (field + 8, q->reftable_clusters);
    if (qcow2_sync (disk) == -1
        || qcow2_write_host (disk, field, sizeof field, 48) == -1
        || qcow2_sync (disk) == -1)
      return -1;
    q->header_dirty = false;
    q->h.refcount_table_offset = q->reftable_offset;
    q->h.refcount_table_clusters = q->reftable_clusters;
    if (q->old_reftable_pending) {
      q->old_reftable_pending = false;
      for (uint64_t i = 0; i < q->old_reftable_clusters; i++)
        if (qcow2_refcount_set (disk, (q->old_reftable_offset
                                       >> q->h.cluster_bits) + i, 0) == -1)
          return -1;
      if (qcow2_write_refblocks (disk, &wrote_refblocks) == -1)
        return -1;
    }
  }
  if (wrote_refblocks && qcow2_sync (disk) == -1)
    return -1;

  /* Clusters are never reused, so the blocks wholly behind the allocation
   * frontier will not change again: drop them (re-read if ever needed). */
  for (uint64_t i = 0; i < q->reftable_entries
         && i < (q->next_free >> q->h.cluster_bits) >> q->refblock_bits; i++) {
    if (q->refblocks[i] && !q->refblock_dirty[i]) {
      free (q->refblocks[i]);
      q->refblocks[i] = NULL;
    }
  }

  /* 4. L2 tables. */
  for (size_t i = 0; i < q->n_slots; i++) {
    struct qcow2_l2 *t = q->slots[i];

    if (t == NULL || !t->dirty)
      continue;
    if (scratch == NULL && (scratch = malloc (q->cluster_size)) == NULL) {
      error_set_errno (errno, "qcow2: %s: malloc", disk->path);
      return -1;
    }
    if (qcow2_write_l2 (disk, t, scratch) == -1)
      return -1;
    any_l2 = true;
  }
  if (any_l2 && qcow2_sync (disk) == -1)
    return -1;

  /* 5. The L1 table, which makes the new L2 tables reachable. */
  if (q->l1_dirty) {
    if (qcow2_write_l1 (disk) == -1 || qcow2_sync (disk) == -1)
      return -1;
  }
  return 0;
}

static int
qcow2_flush (struct disk *disk)
{
  struct qcow2 *q = disk->priv;
  int r;

  pthread_mutex_lock (&q->lock);
  r = qcow2_flush_locked (disk);
  pthread_mutex_unlock (&q->lock);
  return r;
}

/*----------------------------------------------------------------------
 * Writing
 */

enum qcow2_write_action {
  QCOW2_WRITE_IN_PLACE,         /* allocated: overwrite */
  QCOW2_WRITE_IN_PLACE_ZEROED,  /* allocated, zero flag: pad with zeros */
  QCOW2_WRITE_NEW,              /* unallocated: pad from backing/zeros */
  QCOW2_WRITE_NEW_ZEROED,       /* unallocated, zero flag: pad with zeros */
};

struct qcow2_write_cluster {
  uint64_t host;
  enum qcow2_write_action action;
};

/* Step 1 of a write: look up n clusters from vcluster, allocate those
 * missing as one contiguous run. */
static int
qcow2_write_plan_locked (struct disk *disk, uint64_t vcluster, uint64_t n,
                         struct qcow2_write_cluster *plan)
{
  struct qcow2 *q = disk->priv;
  uint64_t n_new = 0, host;

  for (uint64_t i = 0; i < n; i++) {
    uint64_t vc = vcluster + i;
    uint32_t l1_index = vc >> q->l2_bits;
    uint64_t l2_index = vc & ((1ULL << q->l2_bits) - 1);
    struct qcow2_l2 *t;
    uint64_t desc, offset;

    if (qcow2_l2_get (disk, l1_index, true, &t) == -1)
      return -1;
    if (!(q->l1[l1_index] & QCOW2_OFLAG_COPIED)) {
      error_set ("qcow2: %s: L2 table %" PRIu32 " is shared (refcount > 1); "
                 "writing to such images is not supported",
                 disk->path, l1_index);
      return -1;
    }
    desc = t->entries[l2_index];
    if (desc & QCOW2_OFLAG_COMPRESSED) {
      error_set ("qcow2: %s: writing over compressed clusters is not "
                 "supported (guest offset %" PRIu64 ")", disk->path,
                 vc << q->h.cluster_bits);
      return -1;
    }
    offset = desc & QCOW2_OFFSET_MASK;
    if (offset != 0) {
      if ((offset & (q->cluster_size - 1)) || offset >= q->file_size) {
        error_set ("qcow2: %s: L2 table %" PRIu32 " entry %" PRIu64
                   " is misaligned or points past end of file (offset %"
                   PRIu64 ", size %" PRIu64 ")", disk->path, l1_index,
                   l2_index, offset, q->file_size);
        return -1;
      }
      if (!(desc & QCOW2_OFLAG_COPIED)) {
        error_set ("qcow2: %s: cluster at guest offset %" PRIu64 " is "
                   "shared (refcount > 1); writing to it is not supported",
                   disk->path, vc << q->h.cluster_bits);
        return -1;
      }
      plan[i].host = offset;
      plan[i].action = (desc & QCOW2_OFLAG_ZERO) && q->h.version >= 3
        ? QCOW2_WRITE_IN_PLACE_ZEROED : QCOW2_WRITE_IN_PLACE;
    }
    else {
      plan[i].host = 0;
      plan[i].action = (desc & QCOW2_OFLAG_ZERO) && q->h.version >= 3
        ? QCOW2_WRITE_NEW_ZEROED : QCOW2_WRITE_NEW;
      n_new++;
    }
  }
  if (n_new == 0)
    return 0;
  if (qcow2_alloc_clusters (disk, n_new, &host) == -1)
    return -1;
  for (uint64_t i = 0; i < n; i++) {
    if (plan[i].action == QCOW2_WRITE_NEW
        || plan[i].action == QCOW2_WRITE_NEW_ZEROED) {
      plan[i].host = host;
      host += q->cluster_size;
    }
  }
  return 0;
}

/* Step 3: link the freshly written clusters. */
static int
qcow2_write_commit_locked (struct disk *disk, uint64_t vcluster, uint64_t n,
                           const struct qcow2_write_cluster *plan)
{
  struct qcow2 *q = disk->priv;

  for (uint64_t i = 0; i < n; i++) {
    uint64_t vc = vcluster + i;
    uint32_t l1_index = vc >> q->l2_bits;
    uint64_t l2_index = vc & ((1ULL << q->l2_bits) - 1);
    struct qcow2_l2 *t;

    if (plan[i].action == QCOW2_WRITE_IN_PLACE)
      continue;
    if (qcow2_l2_get (disk, l1_index, false, &t) == -1)
      return -1;
    if (t == NULL) {
      error_set ("qcow2: %s: internal error: L2 table %" PRIu32
                 " vanished during a write", disk->path, l1_index);
      return -1;
    }
    t->entries[l2_index] = plan[i].host | QCOW2_OFLAG_COPIED;
    t->dirty = true;
  }
  return 0;
}

/* Fill the part of a newly used cluster the write does not cover. */
static int
qcow2_write_pad (struct disk *disk, enum qcow2_write_action action,
                 uint64_t cluster_guest, uint64_t cluster_host,
                 uint64_t from, uint64_t to)
{
  uint64_t len = to - from;
  CLEANUP_FREE uint8_t *buf = calloc (1, len);

  if (buf == NULL) {
    error_set_errno (errno, "qcow2: %s: calloc", disk->path);
    return -1;
  }
  if (action == QCOW2_WRITE_NEW && disk->backing_path) {
    struct disk *b = disk->backing;

    if (b == NULL) {
      error_set ("qcow2: %s: a partial write into an unallocated cluster "
                 "(guest offset %" PRIu64 ") needs the backing file, which "
                 "is not open", disk->path, cluster_guest);
      return -1;
    }
    if (from < b->size
        && disk_pread (b, buf, min_u64 (len, b->size - from), from) == -1) {
      error_prefix ("qcow2: %s: copy-on-write from the backing file",
                    disk->path);
      return -1;
    }
  }
  return qcow2_write_host (disk, buf, len,
                           cluster_host + (from - cluster_guest));
}

static int
qcow2_pwrite (struct disk *disk, const void *buf, size_t count,
              uint64_t offset)
{
  struct qcow2 *q = disk->priv;
  unsigned cb = q->h.cluster_bits;
  uint64_t end = offset + count;
  uint64_t first, n;
  CLEANUP_FREE struct qcow2_write_cluster *plan = NULL;
  int r;

  if (count == 0)
    return 0;
  first = offset >> cb;
  n = ((end - 1) >> cb) - first + 1;
  plan = calloc (n, sizeof *plan);
  if (plan == NULL) {
    error_set_errno (errno, "qcow2: %s: calloc", disk->path);
    return -1;
  }

  pthread_mutex_lock (&q->lock);
  r = qcow2_write_plan_locked (disk, first, n, plan);
  pthread_mutex_unlock (&q->lock);
  if (r == -1)
    return -1;

  /* Pads of the partial head and tail clusters. */
  if (plan[0].action != QCOW2_WRITE_IN_PLACE && (offset & (q->cluster_size - 1))
      && qcow2_write_pad (disk, plan[0].action, first << cb, plan[0].host,
                          first << cb, offset) == -1)
    return -1;
  if (plan[n - 1].action != QCOW2_WRITE_IN_PLACE
      && (end & (q->cluster_size - 1))
      && qcow2_write_pad (disk, plan[n - 1].action, (first + n - 1) << cb,
                          plan[n - 1].host, end,
                          (first + n) << cb) == -1)
    return -1;

  /* The data, one pwrite per host-contiguous run. */
  for (uint64_t i = 0; i < n;) {
    uint64_t j = i, from, to;

    while (j + 1 < n && plan[j + 1].host == plan[j].host + q->cluster_size)
      j++;
    from = max_u64 (offset, (first + i) << cb);
    to = min_u64 (end, (first + j + 1) << cb);
    if (qcow2_write_host (disk, (const uint8_t *) buf + (from - offset),
                          to - from,
                          plan[i].host + (from - ((first + i) << cb))) == -1)
      return -1;
    i = j + 1;
  }

  pthread_mutex_lock (&q->lock);
  r = qcow2_write_commit_locked (disk, first, n, plan);
  pthread_mutex_unlock (&q->lock);
  return r;
}

/* What a cluster holds, for qcow2_zero. */
enum qcow2_cluster_kind {
  QCOW2_CLUSTER_UNALLOCATED,
  QCOW2_CLUSTER_ZERO,
  QCOW2_CLUSTER_DATA,
  QCOW2_CLUSTER_COMPRESSED,
};

/* Zero one cluster's worth (vc) under the lock, if it can be done in
 * metadata.  *need_write = true when zeros must be written instead. */
static int
qcow2_zero_cluster_locked (struct disk *disk, uint64_t vc, bool whole,
                           bool *need_write)
{
  struct qcow2 *q = disk->priv;
  uint32_t l1_index = vc >> q->l2_bits;
  uint64_t l2_index = vc & ((1ULL << q->l2_bits) - 1);
  enum qcow2_cluster_kind kind;
  struct qcow2_l2 *t;
  uint64_t desc = 0;
  bool v3 = q->h.version >= 3;

  *need_write = false;
  if (qcow2_l2_get (disk, l1_index, false, &t) == -1)
    return -1;
  if (t)
    desc = t->entries[l2_index];
  if (desc & QCOW2_OFLAG_COMPRESSED)
    kind = QCOW2_CLUSTER_COMPRESSED;
  else if (v3 && (desc & QCOW2_OFLAG_ZERO))
    kind = QCOW2_CLUSTER_ZERO;
  else if (desc & QCOW2_OFFSET_MASK)
    kind = QCOW2_CLUSTER_DATA;
  else
    kind = QCOW2_CLUSTER_UNALLOCATED;

  if (kind == QCOW2_CLUSTER_ZERO
      || (kind == QCOW2_CLUSTER_UNALLOCATED && disk->backing_path == NULL))
    return 0;                   /* already reads as zeros */
  if (kind == QCOW2_CLUSTER_COMPRESSED) {
    error_set ("qcow2: %s: writing over compressed clusters is not "
               "supported (guest offset %" PRIu64 ")", disk->path,
               vc << q->h.cluster_bits);
    return -1;
  }
  if (!whole || !v3) {
    *need_write = true;
    return 0;
  }
  if (kind == QCOW2_CLUSTER_DATA) {
    if (!(desc & QCOW2_OFLAG_COPIED)
        || !(q->l1[l1_index] & QCOW2_OFLAG_COPIED)) {
      error_set ("qcow2: %s: cluster at guest offset %" PRIu64 " is shared "
                 "(refcount > 1); writing to it is not supported",
                 disk->path, vc << q->h.cluster_bits);
      return -1;
    }
    /* Keep the host cluster (preallocated zero cluster). */
    t->entries[l2_index] = desc | QCOW2_OFLAG_ZERO;
    t->dirty = true;
    return 0;
  }
  /* Unallocated over a backing file: a zero cluster hides it. */
  if (qcow2_l2_get (disk, l1_index, true, &t) == -1)
    return -1;
  t->entries[l2_index] = QCOW2_OFLAG_ZERO;
  t->dirty = true;
  return 0;
}

static int
qcow2_zero (struct disk *disk, uint64_t offset, uint64_t length)
{
  struct qcow2 *q = disk->priv;
  uint64_t end = offset + length;
  CLEANUP_FREE uint8_t *zeros = NULL;

  while (offset < end) {
    uint64_t vc = offset >> q->h.cluster_bits;
    uint64_t cstart = vc << q->h.cluster_bits;
    uint64_t cend = cstart + q->cluster_size;
    uint64_t n = min_u64 (end, cend) - offset;
    bool whole = offset == cstart && end >= min_u64 (cend, disk->size);
    bool need_write;
    int r;

    pthread_mutex_lock (&q->lock);
    r = qcow2_zero_cluster_locked (disk, vc, whole, &need_write);
    pthread_mutex_unlock (&q->lock);
    if (r == -1)
      return -1;
    if (need_write) {
      if (zeros == NULL && (zeros = calloc (1, q->cluster_size)) == NULL) {
        error_set_errno (errno, "qcow2: %s: calloc", disk->path);
        return -1;
      }
      if (qcow2_pwrite (disk, zeros, n, offset) == -1)
        return -1;
    }
    offset += n;
  }
  return 0;
}

/*----------------------------------------------------------------------
 * Open and close
 */

static void
qcow2_free (struct qcow2 *q)
{
  if (q == NULL)
    return;
  if (q->slots) {
    for (size_t i = 0; i < q->n_slots; i++)
      qcow2_l2_free (q->slots[i]);
  }
  free (q->slots);
  free (q->l2_by_index);
  free (q->l1);
  for (size_t i = 0; i < q->n_dctx; i++)
    ZSTD_freeDCtx (q->dctx_pool[i]);
  if (q->refblocks) {
    for (uint64_t i = 0; i < q->reftable_entries; i++)
      free (q->refblocks[i]);
  }
  free (q->refblocks);
  free (q->refblock_dirty);
  free (q->reftable);
  pthread_mutex_destroy (&q->lock);
  free (q);
}

static void
qcow2_close (struct disk *disk)
{
  struct qcow2 *q = disk->priv;

  if (q == NULL)
    return;
  if (disk->writable) {
    pthread_mutex_lock (&q->lock);
    if (qcow2_flush_locked (disk) == -1)
      log_message (LOG_ERROR, "%s", error_message ());
    pthread_mutex_unlock (&q->lock);
  }
  qcow2_free (q);
  disk->priv = NULL;
}

static int
qcow2_open (struct disk *disk)
{
  struct qcow2 *q = NULL;
  CLEANUP_FREE uint8_t *cluster0 = NULL;
  CLEANUP_FREE uint8_t *l1_buf = NULL;
  uint8_t head[QCOW2_V3_MIN_HEADER_LENGTH + 8] = { 0 };
  char unknown_feature[48] = "";
  uint64_t unknown_bits;
  size_t cluster0_len;
  int64_t file_size;

  file_size = disk_file_size (disk);
  if (file_size == -1)
    return -1;
  if (file_size < QCOW2_V2_HEADER_LENGTH) {
    error_set ("qcow2: %s: file too small for a qcow2 header (%" PRId64
               " bytes)", disk->path, file_size);
    return -1;
  }
  if (disk_file_pread (disk, head,
                       min_u64 (sizeof head, (uint64_t) file_size), 0) == -1)
    return -1;
  if (get_be32 (head) != QCOW2_MAGIC) {
    error_set ("qcow2: %s: not a qcow2 image (bad magic)", disk->path);
    return -1;
  }

  q = calloc (1, sizeof *q);
  if (q == NULL) {
    error_set_errno (errno, "qcow2: %s: calloc", disk->path);
    return -1;
  }
  pthread_mutex_init (&q->lock, NULL);
  disk->priv = q;
  qcow2_parse_header (head, &q->h);
  if (q->h.version >= 3 && file_size < QCOW2_V3_MIN_HEADER_LENGTH) {
    error_set ("qcow2: %s: file too small for a version 3 header",
               disk->path);
    goto fail;
  }
  if (qcow2_check_header (disk, &q->h, file_size) == -1)
    goto fail;

  q->file_size = file_size;
  q->cluster_size = 1ULL << q->h.cluster_bits;
  q->extended_l2 = q->h.incompatible_features & QCOW2_INCOMPAT_EXTENDED_L2;
  q->entry_words = q->extended_l2 ? 2 : 1;
  q->l2_bits = q->h.cluster_bits - (q->extended_l2 ? 4 : 3);
  q->compressed_offset_bits = 62 - (q->h.cluster_bits - 8);
  q->refblock_bits = q->h.cluster_bits + 3 - q->h.refcount_order;

  /* Cluster 0: extensions, compression type, backing file name. */
  cluster0_len = min_u64 (q->cluster_size, (uint64_t) file_size);
  cluster0 = malloc (cluster0_len);
  if (cluster0 == NULL) {
    error_set_errno (errno, "qcow2: %s: malloc", disk->path);
    goto fail;
  }
  if (disk_file_pread (disk, cluster0, cluster0_len, 0) == -1)
    goto fail;
  if (q->h.header_length > QCOW2_V3_MIN_HEADER_LENGTH)
    q->h.compression_type = cluster0[104];
  if ((q->h.incompatible_features & QCOW2_INCOMPAT_COMPRESSION)
      && q->h.header_length <= QCOW2_V3_MIN_HEADER_LENGTH) {
    error_set ("qcow2: %s: compression type bit set but the header has no "
               "compression type field", disk->path);
    goto fail;
  }
  if (q->h.compression_type > QCOW2_COMPRESSION_ZSTD) {
    error_set ("qcow2: %s: unknown compression type %u", disk->path,
               q->h.compression_type);
    goto fail;
  }
  if (q->h.compression_type != QCOW2_COMPRESSION_ZLIB
      && !(q->h.incompatible_features & QCOW2_INCOMPAT_COMPRESSION)) {
    error_set ("qcow2: %s: compression type %u without the compression "
               "type feature bit", disk->path, q->h.compression_type);
    goto fail;
  }
  if (qcow2_parse_extensions (disk, cluster0, cluster0_len, unknown_feature,
                              sizeof unknown_feature) == -1)
    goto fail;
  unknown_bits = q->h.incompatible_features & ~QCOW2_INCOMPAT_KNOWN;
  if (unknown_bits) {
    error_set ("qcow2: %s: unsupported incompatible feature%s%s (bits 0x%"
               PRIx64 ")", disk->path, unknown_feature[0] ? " " : "",
               unknown_feature, unknown_bits);
    goto fail;
  }
  if (q->h.incompatible_features & QCOW2_INCOMPAT_DIRTY)
    log_debug ("qcow2: %s: image is dirty (lazy refcounts); reading is safe",
               disk->path);

  if (q->h.backing_file_offset != 0 && q->h.backing_file_size > 0) {
    char name[QCOW2_MAX_BACKING_NAME + 1];

    if (disk_file_pread (disk, name, q->h.backing_file_size,
                         q->h.backing_file_offset) == -1)
      goto fail;
    if (memchr (name, 0, q->h.backing_file_size)) {
      error_set ("qcow2: %s: backing file name contains a NUL byte",
                 disk->path);
      goto fail;
    }
    name[q->h.backing_file_size] = '\0';
    disk->backing_path = strdup (name);
    if (disk->backing_path == NULL) {
      error_set_errno (errno, "qcow2: %s: strdup", disk->path);
      goto fail;
    }
  }
  else {
    /* A format without a file is meaningless. */
    free (disk->backing_format);
    disk->backing_format = NULL;
  }

  /* L1 table. */
  q->l1 = calloc (q->h.l1_size ? q->h.l1_size : 1, sizeof *q->l1);
  q->l2_by_index = calloc (q->h.l1_size ? q->h.l1_size : 1,
                           sizeof *q->l2_by_index);
  if (q->l1 == NULL || q->l2_by_index == NULL) {
    error_set_errno (errno, "qcow2: %s: allocating the L1 table", disk->path);
    goto fail;
  }
  if (q->h.l1_size > 0) {
    l1_buf = malloc ((size_t) q->h.l1_size * 8);
    if (l1_buf == NULL) {
      error_set_errno (errno, "qcow2: %s: malloc", disk->path);
      goto fail;
    }
    if (disk_file_pread (disk, l1_buf, (size_t) q->h.l1_size * 8,
                         q->h.l1_table_offset) == -1) {
      error_prefix ("qcow2: reading the L1 table");
      goto fail;
    }
    for (uint32_t i = 0; i < q->h.l1_size; i++)
      q->l1[i] = get_be64 (l1_buf + (size_t) i * 8);
  }

  q->n_slots = QCOW2_L2_CACHE_BYTES / q->cluster_size;
  if (q->n_slots < QCOW2_L2_CACHE_MIN)
    q->n_slots = QCOW2_L2_CACHE_MIN;
  if (q->n_slots > QCOW2_L2_CACHE_MAX)
    q->n_slots = QCOW2_L2_CACHE_MAX;
  q->slots = calloc (q->n_slots, sizeof *q->slots);
  if (q->slots == NULL) {
    error_set_errno (errno, "qcow2: %s: calloc", disk->path);
    goto fail;
  }

  if (disk->writable && qcow2_open_for_writing (disk) == -1)
    goto fail;

  disk->size = q->h.size;
  return 0;

fail:
  qcow2_free (q);
  disk->priv = NULL;
  return -1;
}

static int
qcow2_info (struct disk *disk, json_t *obj)
{
  struct qcow2 *q = disk->priv;
  const struct qcow2_header *h = &q->h;

  if (json_set_string (obj, "compat", h->version == 2 ? "0.10" : "1.1") == -1
      || json_set_u64 (obj, "cluster-size", q->cluster_size) == -1
      || json_set_string (obj, "compression-type",
                          h->compression_type == QCOW2_COMPRESSION_ZSTD
                          ? "zstd" : "zlib") == -1
      || json_set_u64 (obj, "refcount-bits", 1u << h->refcount_order) == -1)
    return -1;
  if (h->version >= 3) {
    if (json_set_bool (obj, "extended-l2", q->extended_l2) == -1
        || json_set_bool (obj, "lazy-refcounts",
                          !!(h->compatible_features
                             & QCOW2_COMPAT_LAZY_REFCOUNTS)) == -1
        || json_set_bool (obj, "corrupt",
                          !!(h->incompatible_features
                             & QCOW2_INCOMPAT_CORRUPT)) == -1
        || json_set_bool (obj, "dirty",
                          !!(h->incompatible_features
                             & QCOW2_INCOMPAT_DIRTY)) == -1)
      return -1;
  }
  return 0;
}

const struct disk_driver disk_driver_qcow2 = {
  .name = "qcow2",
  .probe = qcow2_probe,
  .open = qcow2_open,
  .close = qcow2_close,
  .pread = qcow2_pread,
  .block_status = qcow2_block_status,
  .pwrite = qcow2_pwrite,
  .zero = qcow2_zero,
  .flush = qcow2_flush,
  .create = qcow2_create,
  .info = qcow2_info,
};
