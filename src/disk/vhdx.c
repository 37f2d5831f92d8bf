/* vhdx.c: Microsoft's VHDX format (Hyper-V), read-only.
 *
 * Written from Microsoft's "[MS-VHDX] Virtual Hard Disk v2 (VHDX) File
 * Format" specification.  Handles fixed, dynamic and differencing files
 * (.avhdx checkpoints), 512- and 4096-byte logical sectors, and replays a
 * pending metadata log in memory.  This driver never writes, not even to
 * replay the log: a file that Hyper-V left with a pending log is read as
 * if the log had been replayed, and stays byte-identical.
 *
 * The driver proper is here: headers, region table, BAT, block status and
 * reads.  The log replay is in vhdx_log.c, the metadata region and the
 * parent locator in vhdx_metadata.c; what they share, in vhdx_internal.h.
 *
 * File layout (every structure little-endian, GUIDs in Microsoft's mixed
 * endian byte order):
 *
 *    0        "vhdxfile" file type identifier
 *    64 KiB   header 1  \  4 KiB each, CRC-32C; the valid one with the
 *    128 KiB  header 2  /  higher SequenceNumber is current
 *    192 KiB  region table 1 \  64 KiB each, "regi", CRC-32C; list the BAT
 *    256 KiB  region table 2 /  and metadata regions (1 MiB aligned)
 *    ...      log (header's LogOffset/LogLength), BAT, metadata, blocks
 *
 * Opening, in order (each step reads through the log overlay, except the
 * headers, which say where the log is):
 *
 *    vhdx_read_headers -> vhdx_replay_log -> vhdx_read_region_table
 *      -> vhdx_read_metadata -> vhdx_read_parent_locator -> vhdx_read_bat
 *
 * Guest offset -> block -> BAT entry (state, FileOffsetMB).  Sector bitmap
 * entries are interleaved with payload entries after every `chunk_ratio`
 * payload entries; the bitmap says, sector by sector, which sectors of a
 * PARTIALLY_PRESENT block (differencing files only) are in this file.
 *
 * Invariants: the BAT is loaded and every entry checked at open (states
 * valid for the file type, data blocks inside the file); everything in
 * struct vhdx_layer is immutable after open except the sector bitmap
 * cache, which is guarded by vhdx_layer.lock; every size computed from the
 * file goes through checked.h before it is used or allocated.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "disk/disk.h"
#include "disk/vhdx_internal.h"
#include "util/checked.h"
#include "util/endian.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/json.h"
#include "util/log.h"

#define SECTOR_BITMAP_BLOCK (1 * MiB)

#define BAT_STATE_MASK UINT64_C (7)
#define BAT_OFFSET_SHIFT 20

enum payload_state {
  PAYLOAD_BLOCK_NOT_PRESENT = 0,
  PAYLOAD_BLOCK_UNDEFINED = 1,
  PAYLOAD_BLOCK_ZERO = 2,
  PAYLOAD_BLOCK_UNMAPPED = 3,
  PAYLOAD_BLOCK_FULLY_PRESENT = 6,
  PAYLOAD_BLOCK_PARTIALLY_PRESENT = 7,
};
#define SB_BLOCK_NOT_PRESENT 0
#define SB_BLOCK_PRESENT 6

/* Blocks looked at per block status call when merging. */
#define MERGE_BLOCKS 4096

static const vhdx_guid guid_bat_region =
  GUID_INIT (0x2DC27766, 0xF623, 0x4200,
             0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08);
static const vhdx_guid guid_metadata_region =
  GUID_INIT (0x8B7CA206, 0x4790, 0x4B9A,
             0xB8, 0xFE, 0x57, 0x5F, 0x05, 0x0F, 0x88, 0x6E);

extern const struct disk_driver disk_driver_vhdx;

bool
vhdx_guid_equal (const vhdx_guid *a, const vhdx_guid *b)
{
  return memcmp (a->b, b->b, 16) == 0;
}

void
vhdx_guid_decode (const uint8_t *p, vhdx_guid *g)
{
  memcpy (g->b, p, 16);
}

const char *
vhdx_guid_format (const vhdx_guid *g, char *s, size_t len)
{
  const uint8_t *b = g->b;

  snprintf (s, len, "%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
            get_le32 (b), get_le16 (b + 4), get_le16 (b + 6), b[8], b[9], b[10], b[11],
            b[12], b[13], b[14], b[15]);
  return s;
}

/* ------------------------------------------------------------------ */
/* CRC-32C (Castagnoli), reflected polynomial 0x82F63B78              */
/* ------------------------------------------------------------------ */

static uint32_t crc32c_table[256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static void
crc32c_init (void)
{
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    crc32c_table[i] = c;
  }
}

static uint32_t
crc32c_update (uint32_t crc, const uint8_t *p, size_t len)
{
  for (size_t i = 0; i < len; i++)
    crc = crc32c_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

uint32_t
vhdx_checksum (const uint8_t *buf, size_t len, size_t checksum_at)
{
  static const uint8_t zero[4];
  uint32_t crc = 0xFFFFFFFFu;

  pthread_once (&crc32c_once, crc32c_init);
  crc = crc32c_update (crc, buf, checksum_at);
  crc = crc32c_update (crc, zero, 4);
  crc = crc32c_update (crc, buf + checksum_at + 4, len - checksum_at - 4);
  return crc ^ 0xFFFFFFFFu;
}

/* ------------------------------------------------------------------ */
/* Probe                                                              */
/* ------------------------------------------------------------------ */

static int
vhdx_probe (const uint8_t *buf, size_t len, uint64_t file_size)
{
  return len >= 8 && memcmp (buf, "vhdxfile", 8) == 0 ? 100 : 0;
}

/* ------------------------------------------------------------------ */
/* Reading the file through the log overlay                           */
/* ------------------------------------------------------------------ */

/* Whether [offset, offset + len) lies inside [0, size). */
static bool
range_fits (uint64_t offset, uint64_t len, uint64_t size)
{
  uint64_t end;

  return !checked_add (offset, len, &end) && end <= size;
}

int
vhdx_read_file (struct disk *disk, const struct vhdx_layer *l, void *buf,
                size_t count, uint64_t offset)
{
  uint8_t *p = buf;
  uint64_t end, in_file;
  size_t lo, hi;

  if (!range_fits (offset, count, l->vfile_size)) {
    error_set ("vhdx: %s: read of %zu bytes at offset %" PRIu64 " is past "
               "end of file (size %" PRIu64 ")", disk->path, count, offset,
               l->vfile_size);
    return -1;
  }
  end = offset + count;
  in_file = offset < l->file_size ? min_u64 (count, l->file_size - offset) : 0;
  if (in_file && disk_file_pread (disk, p, in_file, offset) == -1)
    return -1;
  memset (p + in_file, 0, count - in_file);

  /* first segment ending after offset */
  lo = 0;
  hi = l->n_overlay;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (l->overlay[mid].end <= offset)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (size_t i = lo; i < l->n_overlay && l->overlay[i].start < end; i++) {
    const struct overlay_segment *s = &l->overlay[i];
    uint64_t a = max_u64 (s->start, offset), b = min_u64 (s->end, end);

    if (s->data)
      memcpy (p + (a - offset), s->data + (a - s->start), b - a);
    else
      memset (p + (a - offset), 0, b - a);
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Headers                                                            */
/* ------------------------------------------------------------------ */

static void
header_decode (const uint8_t *b, struct vhdx_header *h)
{
  h->checksum = get_le32 (b + 4);
  h->sequence = get_le64 (b + 8);
  vhdx_guid_decode (b + 16, &h->file_write_guid);
  vhdx_guid_decode (b + 32, &h->data_write_guid);
  vhdx_guid_decode (b + 48, &h->log_guid);
  h->log_version = get_le16 (b + 64);
  h->version = get_le16 (b + 66);
  h->log_length = get_le32 (b + 68);
  h->log_offset = get_le64 (b + 72);
}

/* Read one header; returns true if its signature and checksum are good,
 * else false with *why saying what is wrong. */
static bool
header_read_one (struct disk *disk, uint64_t at, struct vhdx_header *h,
                 const char **why)
{
  uint8_t buf[HEADER_SIZE];

  if (disk_file_pread (disk, buf, sizeof buf, at) == -1) {
    *why = "unreadable";
    return false;
  }
  if (memcmp (buf, "head", 4) != 0) {
    *why = "no \"head\" signature";
    return false;
  }
  header_decode (buf, h);
  if (vhdx_checksum (buf, sizeof buf, 4) != h->checksum) {
    *why = "bad checksum";
    return false;
  }
  return true;
}

static int
vhdx_read_headers (struct disk *disk, struct vhdx_layer *l)
{
  struct vhdx_header h1, h2;
  const char *why1 = "", *why2 = "";
  bool ok1, ok2;
  struct vhdx_header *h;
  uint64_t log_end;

  if (l->file_size < REGION_TABLE2_OFFSET + REGION_TABLE_SIZE) {
    error_set ("vhdx: %s: file is too short (%" PRIu64 " bytes) for the "
               "VHDX headers and region tables", disk->path, l->file_size);
    return -1;
  }
  ok1 = header_read_one (disk, HEADER1_OFFSET, &h1, &why1);
  ok2 = header_read_one (disk, HEADER2_OFFSET, &h2, &why2);
  if (!ok1 && !ok2) {
    error_set ("vhdx: %s: no valid header (header 1: %s; header 2: %s)",
               disk->path, why1, why2);
    return -1;
  }
  if (ok1 && (!ok2 || h1.sequence >= h2.sequence)) {
    l->header = h1;
    l->header_index = 1;
  }
  else {
    l->header = h2;
    l->header_index = 2;
  }
  h = &l->header;
  log_debug ("vhdx: %s: using header %d (sequence %" PRIu64 ")", disk->path,
             l->header_index, h->sequence);
  if (h->version != 1) {
    error_set ("vhdx: %s: unsupported VHDX version %u (header %d)",
               disk->path, h->version, l->header_index);
    return -1;
  }
  if (h->log_version != 0) {
    error_set ("vhdx: %s: unsupported log version %u (header %d)",
               disk->path, h->log_version, l->header_index);
    return -1;
  }
  if (h->log_length == 0 || h->log_length % MiB != 0
      || h->log_offset % MiB != 0 || h->log_offset < MiB
      || h->log_length > MAX_LOG_BYTES
      || checked_add (h->log_offset, h->log_length, &log_end)
      || log_end > l->file_size) {
    error_set ("vhdx: %s: log (offset %" PRIu64 ", length %" PRIu32 ") is "
               "not 1 MiB aligned, larger than %" PRIu64 " bytes, or past end "
               "of file (size %" PRIu64 ")", disk->path, h->log_offset,
               h->log_length, MAX_LOG_BYTES, l->file_size);
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Region table                                                       */
/* ------------------------------------------------------------------ */

static bool
region_table_valid (const uint8_t *buf, const char **why)
{
  if (memcmp (buf, "regi", 4) != 0) {
    *why = "no \"regi\" signature";
    return false;
  }
  if (vhdx_checksum (buf, REGION_TABLE_SIZE, 4) != get_le32 (buf + 4)) {
    *why = "bad checksum";
    return false;
  }
  if (get_le32 (buf + 8) > REGION_MAX_ENTRIES) {
    *why = "too many entries";
    return false;
  }
  return true;
}

static int
vhdx_read_region_table (struct disk *disk, struct vhdx_layer *l)
{
  CLEANUP_FREE uint8_t *buf = malloc (REGION_TABLE_SIZE);
  const char *why1 = "", *why2 = "";
  uint32_t count;
  bool have_bat = false, have_metadata = false;
  uint64_t log_end = l->header.log_offset + l->header.log_length;
  char gs[40];

  if (buf == NULL) {
    error_set_errno (errno, "vhdx: %s: malloc", disk->path);
    return -1;
  }
  if (vhdx_read_file (disk, l, buf, REGION_TABLE_SIZE,
                      REGION_TABLE1_OFFSET) == -1)
    return -1;
  if (!region_table_valid (buf, &why1)) {
    if (vhdx_read_file (disk, l, buf, REGION_TABLE_SIZE,
                        REGION_TABLE2_OFFSET) == -1)
      return -1;
    if (!region_table_valid (buf, &why2)) {
      error_set ("vhdx: %s: no valid region table (region table 1: %s; "
                 "region table 2: %s)", disk->path, why1, why2);
      return -1;
    }
    log_debug ("vhdx: %s: region table 1 %s, using region table 2",
               disk->path, why1);
  }
  count = get_le32 (buf + 8);
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *e = buf + 16 + 32 * i;
    vhdx_guid g;
    uint64_t off = get_le64 (e + 16), len = get_le32 (e + 24), end;
    bool required = get_le32 (e + 28) & 1;

    vhdx_guid_decode (e, &g);
    if (!vhdx_guid_equal (&g, &guid_bat_region)
        && !vhdx_guid_equal (&g, &guid_metadata_region)) {
      if (required) {
        error_set ("vhdx: %s: region table entry %" PRIu32 " is an unknown "
                   "region %s marked required: this file needs features "
                   "ferry does not support", disk->path, i,
                   vhdx_guid_format (&g, gs, sizeof gs));
        return -1;
      }
      log_debug ("vhdx: %s: ignoring optional unknown region %s",
                 disk->path, vhdx_guid_format (&g, gs, sizeof gs));
      continue;
    }
    if (off % MiB != 0 || len % MiB != 0 || off < MiB || len == 0
        || checked_add (off, len, &end) || end > l->vfile_size) {
      error_set ("vhdx: %s: %s region (offset %" PRIu64 ", length %" PRIu64
                 ") is empty, not 1 MiB aligned, or past end of file (size %"
                 PRIu64 ")", disk->path,
                 vhdx_guid_equal (&g, &guid_bat_region) ? "BAT" : "metadata",
                 off, len, l->vfile_size);
      return -1;
    }
    if (off < log_end && end > l->header.log_offset) {
      error_set ("vhdx: %s: %s region (offset %" PRIu64 ", length %" PRIu64
                 ") overlaps the log", disk->path,
                 vhdx_guid_equal (&g, &guid_bat_region) ? "BAT" : "metadata",
                 off, len);
      return -1;
    }
    if (vhdx_guid_equal (&g, &guid_bat_region)) {
      if (have_bat) {
        error_set ("vhdx: %s: region table lists the BAT twice", disk->path);
        return -1;
      }
      have_bat = true;
      l->bat_offset = off;
      l->bat_length = len;
    }
    else {
      if (have_metadata) {
        error_set ("vhdx: %s: region table lists the metadata region twice",
                   disk->path);
        return -1;
      }
      have_metadata = true;
      l->metadata_offset = off;
      l->metadata_length = len;
    }
  }
  if (!have_bat || !have_metadata) {
    error_set ("vhdx: %s: region table has no %s region", disk->path,
               have_bat ? "metadata" : "BAT");
    return -1;
  }
  if (l->bat_offset < l->metadata_offset + l->metadata_length
      && l->metadata_offset < l->bat_offset + l->bat_length) {
    error_set ("vhdx: %s: BAT region (offset %" PRIu64 ") and metadata "
               "region (offset %" PRIu64 ") overlap", disk->path,
               l->bat_offset, l->metadata_offset);
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* BAT                                                                */
/* ------------------------------------------------------------------ */

static uint64_t
bat_index_of_block (const struct vhdx_layer *l, uint64_t block)
{
  return block + block / l->chunk_ratio;
}

static uint64_t
bat_index_of_bitmap (const struct vhdx_layer *l, uint64_t chunk)
{
  return chunk * (l->chunk_ratio + 1) + l->chunk_ratio;
}

static int
vhdx_read_bat (struct disk *disk, struct vhdx_layer *l)
{
  uint64_t bytes, n_chunks;
  CLEANUP_FREE uint8_t *raw = NULL;

  l->chunk_ratio = ((UINT64_C (1) << 23) * l->logical_sector_size)
                   / l->block_size;              /* >= 16 */
  l->n_blocks = (l->disk_size + l->block_size - 1) / l->block_size;
  n_chunks = (l->n_blocks + l->chunk_ratio - 1) / l->chunk_ratio;
  if (l->has_parent)
    l->bat_entries = n_chunks * (l->chunk_ratio + 1);
  else
    l->bat_entries = l->n_blocks ? l->n_blocks + (l->n_blocks - 1)
                                                 / l->chunk_ratio : 0;
  bytes = l->bat_entries * 8;                    /* < 2^40 */
  if (bytes > l->bat_length || bytes > MAX_BAT_BYTES) {
    error_set ("vhdx: %s: BAT of %" PRIu64 " entries does not fit in the "
               "BAT region (%" PRIu64 " bytes) or is larger than %" PRIu64
               " bytes", disk->path, l->bat_entries, l->bat_length,
               MAX_BAT_BYTES);
    return -1;
  }
  raw = malloc (bytes ? bytes : 1);
  l->bat = malloc (bytes ? bytes : 1);
  if (raw == NULL || l->bat == NULL) {
    error_set_errno (errno, "vhdx: %s: allocating the BAT", disk->path);
    return -1;
  }
  if (bytes && vhdx_read_file (disk, l, raw, bytes, l->bat_offset) == -1)
    return -1;
  for (uint64_t i = 0; i < l->bat_entries; i++)
    l->bat[i] = get_le64 (raw + 8 * i);

  /* Check every payload entry, and the bitmap entries they need. */
  for (uint64_t b = 0; b < l->n_blocks; b++) {
    uint64_t i = bat_index_of_block (l, b), e = l->bat[i];
    unsigned state = e & BAT_STATE_MASK;
    uint64_t off = (e >> BAT_OFFSET_SHIFT) * MiB;
    uint64_t valid = min_u64 (l->block_size,
                              l->disk_size - b * l->block_size);

    switch (state) {
    case PAYLOAD_BLOCK_NOT_PRESENT:
    case PAYLOAD_BLOCK_UNDEFINED:
    case PAYLOAD_BLOCK_ZERO:
    case PAYLOAD_BLOCK_UNMAPPED:
      break;
    case PAYLOAD_BLOCK_PARTIALLY_PRESENT:
      if (!l->has_parent) {
        error_set ("vhdx: %s: BAT entry %" PRIu64 " is PARTIALLY_PRESENT, "
                   "which only a differencing disk may use", disk->path, i);
        return -1;
      }
      {
        uint64_t si = bat_index_of_bitmap (l, b / l->chunk_ratio);
        uint64_t se = l->bat[si];
        uint64_t soff = (se >> BAT_OFFSET_SHIFT) * MiB;
        if ((se & BAT_STATE_MASK) != SB_BLOCK_PRESENT) {
          error_set ("vhdx: %s: BAT entry %" PRIu64 " is PARTIALLY_PRESENT "
                     "but its sector bitmap (BAT entry %" PRIu64 ") is not "
                     "present", disk->path, i, si);
          return -1;
        }
        if (soff < MiB || !range_fits (soff, SECTOR_BITMAP_BLOCK,
                                       l->vfile_size)) {
          error_set ("vhdx: %s: BAT entry %" PRIu64 " (sector bitmap) points "
                     "past end of file (offset %" PRIu64 ", size %" PRIu64
                     ")", disk->path, si, soff, l->vfile_size);
          return -1;
        }
      }
      /* fall through */
    case PAYLOAD_BLOCK_FULLY_PRESENT:
      if (off < MiB || !range_fits (off, valid, l->vfile_size)) {
        error_set ("vhdx: %s: BAT entry %" PRIu64 " points past end of file "
                   "(offset %" PRIu64 ", size %" PRIu64 ")", disk->path, i,
                   off, l->vfile_size);
        return -1;
      }
      break;
    default:
      error_set ("vhdx: %s: BAT entry %" PRIu64 " has the reserved state %u",
                 disk->path, i, state);
      return -1;
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Open / close                                                       */
/* ------------------------------------------------------------------ */

static void
vhdx_free (struct vhdx_layer *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->n_locator; i++) {
    free (l->locator[i].key);
    free (l->locator[i].value);
  }
  free (l->locator);
  for (unsigned i = 0; i < BITMAP_CACHE_ENTRIES; i++)
    free (l->bitmap_cache[i].bits);
  free (l->bat);
  free (l->overlay);
  free (l->log_sectors);
  pthread_mutex_destroy (&l->lock);
  free (l);
}

static int
vhdx_open (struct disk *disk)
{
  struct vhdx_layer *l;
  int64_t size;
  uint8_t sig[8];
  int err;

  disk->priv = NULL;
  size = disk_file_size (disk);
  if (size == -1)
    return -1;
  if ((uint64_t) size > MAX_FILE_SIZE) {
    error_set ("vhdx: %s: file is too large", disk->path);
    return -1;
  }
  if (size < 8 || disk_file_pread (disk, sig, 8, 0) == -1
      || memcmp (sig, "vhdxfile", 8) != 0) {
    error_set ("vhdx: %s: not a VHDX file (no \"vhdxfile\" signature)",
               disk->path);
    return -1;
  }
  l = calloc (1, sizeof *l);
  if (l == NULL) {
    error_set_errno (errno, "vhdx: %s: calloc", disk->path);
    return -1;
  }
  err = pthread_mutex_init (&l->lock, NULL);
  if (err != 0) {
    free (l);
    error_set_errno (err, "vhdx: %s: pthread_mutex_init", disk->path);
    return -1;
  }
  l->file_size = size;
  l->vfile_size = size;

  if (vhdx_read_headers (disk, l) == -1
      || vhdx_replay_log (disk, l) == -1
      || vhdx_read_region_table (disk, l) == -1
      || vhdx_read_metadata (disk, l) == -1
      || vhdx_read_bat (disk, l) == -1)
    goto fail;
  if (l->has_parent && vhdx_set_backing_path (disk, l) == -1)
    goto fail;

  disk->size = l->disk_size;
  disk->priv = l;
  return 0;

fail:
  vhdx_free (l);
  return -1;
}

static void
vhdx_close (struct disk *disk)
{
  vhdx_free (disk->priv);
  disk->priv = NULL;
}

/* ------------------------------------------------------------------ */
/* Block status and reads                                             */
/* ------------------------------------------------------------------ */

static enum extent_type
block_type (const struct vhdx_layer *l, uint64_t block)
{
  switch (l->bat[bat_index_of_block (l, block)] & BAT_STATE_MASK) {
  case PAYLOAD_BLOCK_NOT_PRESENT:
    /* Differencing: look in the parent.  Fixed or dynamic: the spec lets
     * the contents be anything; with no parent, disk.c reads zeros. */
    return EXTENT_UNALLOCATED;
  case PAYLOAD_BLOCK_FULLY_PRESENT:
    return EXTENT_DATA;
  default:
    /* ZERO reads as zeros for every file type.  UNDEFINED and UNMAPPED
     * may read as "arbitrary data" for every file type — the spec does
     * not send a differencing disk to its parent for them, as it does for
     * NOT_PRESENT — and zeros are one permitted answer and the only one
     * that never exposes stale data. */
    return EXTENT_ZERO;
  }
}

static bool
block_is_partial (const struct vhdx_layer *l, uint64_t block)
{
  return (l->bat[bat_index_of_block (l, block)] & BAT_STATE_MASK)
         == PAYLOAD_BLOCK_PARTIALLY_PRESENT;
}

/* The sector bitmap bits of `block` (one bit per logical sector), read
 * through the cache; returns a private malloc'd copy, since the cached
 * one may be evicted as soon as the lock is dropped. */
static uint8_t *
vhdx_get_bitmap (struct disk *disk, struct vhdx_layer *l, uint64_t block)
{
  uint64_t bytes = l->block_size / l->logical_sector_size / 8;
  uint64_t chunk = block / l->chunk_ratio, in_chunk = block % l->chunk_ratio;
  uint64_t sb = l->bat[bat_index_of_bitmap (l, chunk)];
  uint64_t at = (sb >> BAT_OFFSET_SHIFT) * MiB + in_chunk * bytes;
  uint8_t *copy = malloc (bytes), *bits = NULL;
  struct bitmap_cache_entry *slot = NULL;

  if (copy == NULL) {
    error_set_errno (errno, "vhdx: %s: allocating a sector bitmap",
                     disk->path);
    return NULL;
  }
  pthread_mutex_lock (&l->lock);
  for (unsigned i = 0; i < BITMAP_CACHE_ENTRIES; i++) {
    if (l->bitmap_cache[i].bits && l->bitmap_cache[i].block == block) {
      slot = &l->bitmap_cache[i];
      break;
    }
  }
  if (slot == NULL) {
    bits = malloc (bytes);
    if (bits == NULL) {
      error_set_errno (errno, "vhdx: %s: allocating a sector bitmap",
                       disk->path);
      goto fail;
    }
    /* checked at open: the bitmap block lies inside the file */
    if (vhdx_read_file (disk, l, bits, bytes, at) == -1) {
      error_prefix ("vhdx: sector bitmap of block %" PRIu64, block);
      goto fail;
    }
    slot = &l->bitmap_cache[l->bitmap_cache_next];
    l->bitmap_cache_next = (l->bitmap_cache_next + 1) % BITMAP_CACHE_ENTRIES;
    free (slot->bits);
    slot->bits = steal_pointer (&bits);
    slot->block = block;
  }
  memcpy (copy, slot->bits, bytes);
  pthread_mutex_unlock (&l->lock);
  return copy;

fail:
  pthread_mutex_unlock (&l->lock);
  free (bits);
  free (copy);
  return NULL;
}

static bool
bit_set (const uint8_t *bits, uint64_t i)
{
  return bits[i / 8] & (1u << (i % 8));
}

static int
vhdx_block_status (struct disk *disk, uint64_t offset, uint64_t length,
                   struct extent *out)
{
  struct vhdx_layer *l = disk->priv;
  uint64_t end = offset + length;      /* checked by disk.c */
  uint64_t block = offset / l->block_size;
  uint64_t block_end = (block + 1) * l->block_size;

  out->offset = offset;
  if (block_is_partial (l, block)) {
    CLEANUP_FREE uint8_t *bits = vhdx_get_bitmap (disk, l, block);
    uint64_t ss = l->logical_sector_size;
    uint64_t first = (offset % l->block_size) / ss;
    uint64_t last = (min_u64 (end, block_end) - 1 - block * l->block_size)
                    / ss;
    bool set;
    uint64_t s;

    if (bits == NULL)
      return -1;
    set = bit_set (bits, first);
    for (s = first + 1; s <= last && bit_set (bits, s) == set; s++)
      ;
    out->type = set ? EXTENT_DATA : EXTENT_UNALLOCATED;
    out->length = min_u64 (end, block * l->block_size + s * ss) - offset;
    return 0;
  }

  out->type = block_type (l, block);
  for (uint64_t n = 1; block_end < end && n < MERGE_BLOCKS; n++) {
    uint64_t b = block + n;
    if (block_is_partial (l, b) || block_type (l, b) != out->type)
      break;
    block_end += l->block_size;
  }
  out->length = min_u64 (end, block_end) - offset;
  return 0;
}

static int
vhdx_pread (struct disk *disk, void *buf, size_t count, uint64_t offset)
{
  struct vhdx_layer *l = disk->priv;
  uint8_t *p = buf;

  while (count > 0) {
    uint64_t block = offset / l->block_size;
    uint64_t in_block = offset % l->block_size;
    size_t n = min_u64 (count, l->block_size - in_block);
    uint64_t e = l->bat[bat_index_of_block (l, block)];
    unsigned state = e & BAT_STATE_MASK;

    if (state == PAYLOAD_BLOCK_FULLY_PRESENT
        || state == PAYLOAD_BLOCK_PARTIALLY_PRESENT) {
      /* checked at open: the block lies inside the file */
      uint64_t at = (e >> BAT_OFFSET_SHIFT) * MiB + in_block;
      if (vhdx_read_file (disk, l, p, n, at) == -1)
        return -1;
    }
    else
      memset (p, 0, n);         /* not called for such ranges */
    p += n;
    offset += n;
    count -= n;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Chains and info                                                    */
/* ------------------------------------------------------------------ */

static int
vhdx_check_backing (struct disk *disk, struct disk *backing)
{
  struct vhdx_layer *l = disk->priv, *pl;
  char want[40], want2[40], have[40];

  if (backing->driver != &disk_driver_vhdx || backing->priv == NULL) {
    error_set ("vhdx: %s: parent %s is a %s image, not VHDX", disk->path,
               backing->path, backing->driver->name);
    return -1;
  }
  pl = backing->priv;
  if (vhdx_guid_equal (&pl->header.data_write_guid, &l->parent_linkage)
      || (l->has_linkage2
          && vhdx_guid_equal (&pl->header.data_write_guid,
                              &l->parent_linkage2)))
    return 0;
  vhdx_guid_format (&l->parent_linkage, want, sizeof want);
  vhdx_guid_format (&l->parent_linkage2, want2, sizeof want2);
  vhdx_guid_format (&pl->header.data_write_guid, have, sizeof have);
  error_set ("vhdx: %s: parent linkage mismatch: parent_linkage {%s}%s%s%s, "
             "but the DataWriteGuid of %s is {%s}: the parent was changed "
             "after this checkpoint was taken", disk->path, want,
             l->has_linkage2 ? " (parent_linkage2 {" : "",
             l->has_linkage2 ? want2 : "", l->has_linkage2 ? "})" : "",
             backing->path, have);
  return -1;
}

static int
vhdx_info (struct disk *disk, json_t *obj)
{
  struct vhdx_layer *l = disk->priv;
  char gs[40];
  json_t *loc;

  if (json_set_u64 (obj, "block-size", l->block_size) == -1
      || json_set_u64 (obj, "logical-sector-size",
                       l->logical_sector_size) == -1
      || (l->physical_sector_size
          ? json_set_u64 (obj, "physical-sector-size",
                          l->physical_sector_size)
          : json_set_new (obj, "physical-sector-size", json_null ())) == -1
      || json_set_string (obj, "virtual-disk-id",
                          l->has_disk_id
                          ? vhdx_guid_format (&l->disk_id, gs, sizeof gs)
                          : NULL) == -1
      || json_set_bool (obj, "has-parent", l->has_parent) == -1
      || json_set_bool (obj, "leave-blocks-allocated",
                        l->leave_blocks_allocated) == -1
      || json_set_bool (obj, "log-replayed", l->log_replayed) == -1
      || json_set_u64 (obj, "header-sequence", l->header.sequence) == -1)
    return -1;
  if (!l->has_parent)
    return json_set_new (obj, "parent-locator", json_null ());
  loc = json_object ();
  if (json_set_new (obj, "parent-locator", loc) == -1)
    return -1;
  for (size_t i = 0; i < l->n_locator; i++)
    if (json_set_string (loc, l->locator[i].key, l->locator[i].value) == -1)
      return -1;
  return 0;
}

const struct disk_driver disk_driver_vhdx = {
  .name = "vhdx",
  .probe = vhdx_probe,
  .open = vhdx_open,
  .close = vhdx_close,
  .pread = vhdx_pread,
  .block_status = vhdx_block_status,
  .info = vhdx_info,
  .check_backing = vhdx_check_backing,
};
