/* vhdx_log.c: replay of a VHDX file's pending metadata log, in memory.
 *
 * Written from Microsoft's "[MS-VHDX] Virtual Hard Disk v2 (VHDX) File
 * Format" specification.
 *
 * Log replay (vhdx_replay_log): the whole log (bounded by MAX_LOG_BYTES) is
 * read into memory, the active sequence found as the spec describes (the
 * valid run of consecutive entries with the highest sequence number whose
 * head's Tail points into the run), and its writes — 4 KiB data sectors and
 * zeroed ranges — folded into a sorted list of non-overlapping overlay
 * segments where the last write wins (vhdx_overlay_build).  Every read of
 * the file (vhdx_read_file, in vhdx.c) reads the file and then applies the
 * overlay.  The spec lets the log extend the file up to the head entry's
 * LastFileOffset; those bytes read as zeros unless the log wrote them.
 *
 * This file never writes, not even to replay the log: a file that Hyper-V
 * left with a pending log is read as if the log had been replayed, and
 * stays byte-identical.  A log entry that writes over the file headers or
 * the log itself, or past LastFileOffset, is an error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "disk/disk.h"
#include "disk/vhdx_internal.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/endian.h"
#include "util/error.h"
#include "util/log.h"

#define LOG_SECTOR 4096u
#define LOG_ENTRY_HEADER_SIZE 64u
#define LOG_DESCRIPTOR_SIZE 32u

static bool
guid_is_zero (const vhdx_guid *g)
{
  static const vhdx_guid zero;
  return vhdx_guid_equal (g, &zero);
}

struct log_entry {
  uint64_t at;                 /* offset in the log */
  uint32_t length;
  uint32_t tail;
  uint64_t sequence;
  uint32_t descriptors;
  uint64_t flushed_file_offset;
  uint64_t last_file_offset;
};

/* A write of the log: [start, end) gets data (NULL = zeros); later writes
 * (higher order) win. */
struct log_write {
  uint64_t start, end;
  const uint8_t *data;
  size_t order;
};

/* Copy `len` bytes at `at` of the circular log into out. */
static void
log_copy (const uint8_t *log, uint64_t log_len, uint64_t at, uint8_t *out,
          uint64_t len)
{
  uint64_t first = min_u64 (len, log_len - at);

  memcpy (out, log + at, first);
  memcpy (out + first, log, len - first);
}

/* Check the entry at log offset `at`: signature, length, checksum, GUID,
 * descriptors and data sectors.  Returns true if valid, else false with
 * why set.  `scratch` holds log_len bytes. */
static bool
log_entry_check (const uint8_t *log, uint64_t log_len, uint64_t at,
                 const vhdx_guid *log_guid, uint8_t *scratch,
                 uint64_t *budget, struct log_entry *e, const char **why)
{
  uint8_t hdr[LOG_ENTRY_HEADER_SIZE];
  const uint8_t *b;
  vhdx_guid g;
  uint64_t desc_sectors, data_sectors = 0;

  log_copy (log, log_len, at, hdr, sizeof hdr);
  if (memcmp (hdr, "loge", 4) != 0) {
    *why = "no \"loge\" signature";
    return false;
  }
  e->at = at;
  e->length = get_le32 (hdr + 8);
  e->tail = get_le32 (hdr + 12);
  e->sequence = get_le64 (hdr + 16);
  e->descriptors = get_le32 (hdr + 24);
  vhdx_guid_decode (hdr + 32, &g);
  e->flushed_file_offset = get_le64 (hdr + 48);
  e->last_file_offset = get_le64 (hdr + 56);
  if (e->length == 0 || e->length % LOG_SECTOR != 0 || e->length > log_len) {
    *why = "bad entry length";
    return false;
  }
  if (e->tail % LOG_SECTOR != 0 || e->tail >= log_len) {
    *why = "bad tail";
    return false;
  }
  if (!vhdx_guid_equal (&g, log_guid)) {
    *why = "log GUID differs from the header's";
    return false;
  }
  if (*budget < e->length) {
    *why = NULL;                /* the caller gives up */
    return false;
  }
  *budget -= e->length;
  log_copy (log, log_len, at, scratch, e->length);
  b = scratch;
  if (vhdx_checksum (b, e->length, 4) != get_le32 (hdr + 4)) {
    *why = "bad checksum";
    return false;
  }
  desc_sectors = ((uint64_t) e->descriptors * LOG_DESCRIPTOR_SIZE
                  + LOG_ENTRY_HEADER_SIZE + LOG_SECTOR - 1) / LOG_SECTOR;
  if (desc_sectors * LOG_SECTOR > e->length) {
    *why = "descriptors run past the entry";
    return false;
  }
  for (uint32_t i = 0; i < e->descriptors; i++) {
    const uint8_t *d = b + LOG_ENTRY_HEADER_SIZE + i * LOG_DESCRIPTOR_SIZE;
    bool is_data = memcmp (d, "desc", 4) == 0;

    if (!is_data && memcmp (d, "zero", 4) != 0) {
      *why = "unknown descriptor signature";
      return false;
    }
    if (get_le64 (d + 24) != e->sequence) {
      *why = "descriptor sequence number differs from the entry's";
      return false;
    }
    if (get_le64 (d + 16) % LOG_SECTOR != 0
        || (!is_data && get_le64 (d + 8) % LOG_SECTOR != 0)) {
      *why = "descriptor offset or length not 4 KiB aligned";
      return false;
    }
    if (is_data) {
      const uint8_t *s;
      data_sectors++;
      if ((desc_sectors + data_sectors) * LOG_SECTOR > e->length) {
        *why = "data sectors run past the entry";
        return false;
      }
      s = b + (desc_sectors + data_sectors - 1) * LOG_SECTOR;
      if (memcmp (s, "data", 4) != 0
          || get_le32 (s + 4) != (uint32_t) (e->sequence >> 32)
          || get_le32 (s + LOG_SECTOR - 4) != (uint32_t) e->sequence) {
        *why = "bad data sector";
        return false;
      }
    }
  }
  return true;
}

/* A max-heap of write indexes ordered by `order` (the sweep below). */
struct write_heap {
  size_t *v;
  size_t n;
};

static void
heap_push (struct write_heap *h, const struct log_write *w, size_t i)
{
  size_t k = h->n++;

  h->v[k] = i;
  while (k > 0 && w[h->v[(k - 1) / 2]].order < w[h->v[k]].order) {
    size_t p = (k - 1) / 2, t = h->v[p];
    h->v[p] = h->v[k];
    h->v[k] = t;
    k = p;
  }
}

static void
heap_pop (struct write_heap *h, const struct log_write *w)
{
  size_t k = 0;

  h->v[0] = h->v[--h->n];
  for (;;) {
    size_t l = 2 * k + 1, r = l + 1, m = k, t;
    if (l < h->n && w[h->v[l]].order > w[h->v[m]].order)
      m = l;
    if (r < h->n && w[h->v[r]].order > w[h->v[m]].order)
      m = r;
    if (m == k)
      break;
    t = h->v[m];
    h->v[m] = h->v[k];
    h->v[k] = t;
    k = m;
  }
}

static int
cmp_write_start (const void *a, const void *b)
{
  const struct log_write *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

static int
cmp_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return x < y ? -1 : x > y;
}

/* Fold the writes (any order, possibly overlapping) into l->overlay: for
 * every byte, the write with the highest order.  A sweep over the sorted
 * boundaries with a max-heap of the writes covering the current piece. */
static int
vhdx_overlay_build (struct disk *disk, struct vhdx_layer *l,
                    struct log_write *w, size_t n)
{
  CLEANUP_FREE uint64_t *points = NULL;
  CLEANUP_FREE size_t *heap_v = NULL;
  struct write_heap heap;
  size_t n_points = 0, next = 0;

  if (n == 0)
    return 0;
  points = malloc (2 * n * sizeof *points);
  heap_v = malloc (n * sizeof *heap_v);
  l->overlay = malloc (2 * n * sizeof *l->overlay);
  if (points == NULL || heap_v == NULL || l->overlay == NULL) {
    error_set_errno (errno, "vhdx: %s: allocating the log overlay",
                     disk->path);
    return -1;
  }
  heap.v = heap_v;
  heap.n = 0;
  for (size_t i = 0; i < n; i++) {
    points[n_points++] = w[i].start;
    points[n_points++] = w[i].end;
  }
  qsort (points, n_points, sizeof *points, cmp_u64);
  qsort (w, n, sizeof *w, cmp_write_start);

  for (size_t k = 0; k + 1 < n_points; k++) {
    uint64_t a = points[k], b = points[k + 1];
    const struct log_write *top;
    struct overlay_segment *last;

    if (a == b)
      continue;
    while (next < n && w[next].start <= a)
      heap_push (&heap, w, next++);
    while (heap.n > 0 && w[heap.v[0]].end <= a)
      heap_pop (&heap, w);
    if (heap.n == 0)
      continue;
    top = &w[heap.v[0]];
    last = l->n_overlay ? &l->overlay[l->n_overlay - 1] : NULL;
    /* Extend the previous segment when it continues the same bytes. */
    if (last && last->end == a
        && ((last->data == NULL && top->data == NULL)
            || (last->data && top->data
                && last->data + (a - last->start) == top->data + (a - top->start)))) {
      last->end = b;
      continue;
    }
    l->overlay[l->n_overlay].start = a;
    l->overlay[l->n_overlay].end = b;
    l->overlay[l->n_overlay].data = top->data ? top->data + (a - top->start)
                                              : NULL;
    l->n_overlay++;
  }
  return 0;
}

/* Collect the writes of one (valid) entry, checking where they go. */
static int
log_entry_writes (struct disk *disk, struct vhdx_layer *l,
                  const uint8_t *entry, const struct log_entry *e,
                  uint8_t **sector_out, struct log_write *w, size_t *n_w,
                  size_t *order)
{
  uint64_t desc_sectors = ((uint64_t) e->descriptors * LOG_DESCRIPTOR_SIZE
                           + LOG_ENTRY_HEADER_SIZE + LOG_SECTOR - 1)
                          / LOG_SECTOR;
  uint64_t data_index = 0;
  uint64_t limit = max_u64 (l->file_size, e->last_file_offset);
  uint64_t log_end = l->header.log_offset + l->header.log_length;

  for (uint32_t i = 0; i < e->descriptors; i++) {
    const uint8_t *d = entry + LOG_ENTRY_HEADER_SIZE + i * LOG_DESCRIPTOR_SIZE;
    bool is_data = memcmp (d, "desc", 4) == 0;
    uint64_t at = get_le64 (d + 16);
    uint64_t len = is_data ? LOG_SECTOR : get_le64 (d + 8);
    uint64_t end;

    if (checked_add (at, len, &end) || end > limit) {
      error_set ("vhdx: %s: log entry %" PRIu64 " (log offset %" PRIu64
                 ") writes %" PRIu64 " bytes at offset %" PRIu64 ", outside "
                 "the file (size %" PRIu64 ", LastFileOffset %" PRIu64 ")",
                 disk->path, e->sequence, e->at, len, at, l->file_size,
                 e->last_file_offset);
      return -1;
    }
    /* The log never rewrites the headers it depends on, nor itself. */
    if (at < REGION_TABLE1_OFFSET
        || (at < log_end && end > l->header.log_offset)) {
      error_set ("vhdx: %s: log entry %" PRIu64 " (log offset %" PRIu64
                 ") writes %" PRIu64 " bytes at offset %" PRIu64 ", over the "
                 "file headers or the log itself", disk->path, e->sequence,
                 e->at, len, at);
      return -1;
    }
    if (len == 0)
      continue;
    w[*n_w].start = at;
    w[*n_w].end = end;
    w[*n_w].order = (*order)++;
    w[*n_w].data = NULL;
    if (is_data) {
      /* The sector is LeadingBytes (8), the data sector's 4084 bytes,
       * TrailingBytes (4). */
      const uint8_t *s = entry + (desc_sectors + data_index) * LOG_SECTOR;
      uint8_t *out = *sector_out;
      memcpy (out, d + 8, 8);
      memcpy (out + 8, s + 8, LOG_SECTOR - 12);
      memcpy (out + LOG_SECTOR - 4, d + 4, 4);
      w[*n_w].data = out;
      *sector_out += LOG_SECTOR;
      data_index++;
    }
    (*n_w)++;
  }
  return 0;
}

/* What log_entry_check said about the entry starting at a log sector. */
struct log_memo {
  enum { MEMO_UNKNOWN, MEMO_VALID, MEMO_INVALID } state;
  const char *why;
  struct log_entry e;
};

/* Find the active sequence (see the comment at the top of the file): on
 * return best[0 .. *n_best) holds the valid run of entries with the
 * highest head sequence number, in log order (empty if none).  Each start
 * sector is checked once, and the bytes checksummed are bounded, so that a
 * hostile log cannot make this quadratic. */
static int
log_find_active (struct disk *disk, const uint8_t *log, uint64_t log_len,
                 const vhdx_guid *log_guid, uint8_t *scratch,
                 struct log_entry *best, size_t *n_best,
                 struct log_entry *cur, const char **why0)
{
  uint64_t tail = 0, budget = 8 * log_len;
  size_t max_entries = log_len / LOG_SECTOR;
  CLEANUP_FREE struct log_memo *memo = calloc (max_entries, sizeof *memo);

  if (memo == NULL) {
    error_set_errno (errno, "vhdx: %s: calloc", disk->path);
    return -1;
  }
  *n_best = 0;
  while (tail < log_len) {
    uint64_t head = tail, scanned = 0;
    size_t n = 0;
    bool valid = false;

    while (n < max_entries && scanned < log_len) {
      struct log_memo *m = &memo[head / LOG_SECTOR];

      if (m->state == MEMO_UNKNOWN) {
        bool ok = log_entry_check (log, log_len, head, log_guid, scratch,
                                   &budget, &m->e, &m->why);
        if (!ok && m->why == NULL) {
          error_set ("vhdx: %s: the log is too damaged to search (entries "
                     "overlapping at every sector)", disk->path);
          return -1;
        }
        m->state = ok ? MEMO_VALID : MEMO_INVALID;
      }
      if (tail == 0 && n == 0 && m->state == MEMO_INVALID)
        *why0 = m->why;
      if (m->state == MEMO_INVALID
          || (n > 0 && m->e.sequence != cur[n - 1].sequence + 1)
          || scanned + m->e.length > log_len)
        break;
      cur[n++] = m->e;
      scanned += m->e.length;
      head = (head + m->e.length) % log_len;
    }
    if (tail == 0 && n > 0)
      *why0 = "no sequence ends with a head whose tail is in it";
    /* The head's Tail must name an entry of this run. */
    for (size_t i = 0; i < n && !valid; i++)
      valid = cur[i].at == cur[n - 1].tail;
    if (valid && (*n_best == 0
                  || cur[n - 1].sequence > best[*n_best - 1].sequence)) {
      memcpy (best, cur, n * sizeof *cur);
      *n_best = n;
    }
    if (!valid)
      tail += LOG_SECTOR;
    else
      tail += scanned;          /* a run that wraps ends the scan */
  }
  return 0;
}

int
vhdx_replay_log (struct disk *disk, struct vhdx_layer *l)
{
  const struct vhdx_header *h = &l->header;
  uint64_t log_len = h->log_length;        /* checked: <= MAX_LOG_BYTES */
  CLEANUP_FREE uint8_t *log = NULL;
  CLEANUP_FREE uint8_t *scratch = NULL;
  CLEANUP_FREE struct log_entry *best = NULL;
  CLEANUP_FREE struct log_entry *cur = NULL;
  CLEANUP_FREE struct log_write *writes = NULL;
  size_t max_entries = log_len / LOG_SECTOR, n_best, first = 0;
  size_t max_writes, n_writes = 0, order = 0;
  uint64_t data_sectors = 0;
  const char *why0 = "empty";
  uint8_t *sector_out;
  const struct log_entry *headent;
  char gs[40];

  l->vfile_size = l->file_size;
  if (guid_is_zero (&h->log_guid))
    return 0;

  log = malloc (log_len);
  scratch = malloc (log_len);
  best = malloc (max_entries * sizeof *best);
  cur = malloc (max_entries * sizeof *cur);
  if (log == NULL || scratch == NULL || best == NULL || cur == NULL) {
    error_set_errno (errno, "vhdx: %s: allocating the log", disk->path);
    return -1;
  }
  if (disk_file_pread (disk, log, log_len, h->log_offset) == -1)
    return -1;
  if (log_find_active (disk, log, log_len, &h->log_guid, scratch, best,
                       &n_best, cur, &why0) == -1)
    return -1;
  if (n_best == 0) {
    error_set ("vhdx: %s: the header says the log (GUID %s) must be "
               "replayed, but it holds no valid sequence of entries (entry "
               "at log offset 0: %s)", disk->path,
               vhdx_guid_format (&h->log_guid, gs, sizeof gs), why0);
    return -1;
  }
  headent = &best[n_best - 1];
  /* The active sequence runs from the head's Tail to the head. */
  while (best[first].at != headent->tail)
    first++;
  log_debug ("vhdx: %s: replaying log entries %" PRIu64 " to %" PRIu64
             " in memory", disk->path, best[first].sequence,
             headent->sequence);

  if (l->file_size < headent->flushed_file_offset) {
    error_set ("vhdx: %s: file is shorter (%" PRIu64 " bytes) than the log's "
               "FlushedFileOffset (%" PRIu64 "): the file was truncated",
               disk->path, l->file_size, headent->flushed_file_offset);
    return -1;
  }
  if (headent->last_file_offset > MAX_FILE_SIZE) {
    error_set ("vhdx: %s: log's LastFileOffset %" PRIu64 " is absurd",
               disk->path, headent->last_file_offset);
    return -1;
  }

  max_writes = 0;
  for (size_t i = first; i < n_best; i++) {
    max_writes += best[i].descriptors;
    /* data sectors are fewer than the entry's sectors */
    data_sectors += best[i].length / LOG_SECTOR;
  }
  writes = malloc ((max_writes ? max_writes : 1) * sizeof *writes);
  l->log_sectors = malloc (data_sectors * LOG_SECTOR);
  if (writes == NULL || l->log_sectors == NULL) {
    error_set_errno (errno, "vhdx: %s: allocating the log overlay",
                     disk->path);
    return -1;
  }
  sector_out = l->log_sectors;
  for (size_t i = first; i < n_best; i++) {
    log_copy (log, log_len, best[i].at, scratch, best[i].length);
    if (log_entry_writes (disk, l, scratch, &best[i], &sector_out, writes,
                          &n_writes, &order) == -1)
      return -1;
  }
  if (vhdx_overlay_build (disk, l, writes, n_writes) == -1)
    return -1;
  l->vfile_size = max_u64 (l->file_size, headent->last_file_offset);
  l->log_replayed = true;
  return 0;
}
