/* vhdx.c: Microsoft's VHDX format (Hyper-V), read-only.
 *
 * Written from Microsoft's "[MS-VHDX] Virtual Hard Disk v2 (VHDX) File
 * Format" specification.  Handles fixed, dynamic and differencing files
 * (.avhdx checkpoints), 512- and 4096-byte logical sectors, and replays a
 * pending metadata log in memory.  This driver never writes, not even to
 * replay the log: a file that Hyper-V left with a pending log is read as
 * if the log had been replayed, and stays byte-identical.
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
 * Log replay (vhdx_replay_log): the whole log (bounded by MAX_LOG_BYTES) is
 * read into memory, the active sequence found as the spec describes (the
 * valid run of consecutive entries with the highest sequence number whose
 * head's Tail points into the run), and its writes — 4 KiB data sectors and
 * zeroed ranges — folded into a sorted list of non-overlapping overlay
 * segments where the last write wins (vhdx_overlay_build).  Every read of
 * the file (vhdx_read_file) reads the file and then applies the overlay.
 * The spec lets the log extend the file up to the head entry's
 * LastFileOffset; those bytes read as zeros unless the log wrote them.
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
#include "util/checked.h"
#include "util/endian.h"
#include "util/path.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/json.h"
#include "util/log.h"

#define KiB (UINT64_C (1) << 10)
#define MiB (UINT64_C (1) << 20)
#define TiB (UINT64_C (1) << 40)

#define HEADER1_OFFSET (64 * KiB)
#define HEADER2_OFFSET (128 * KiB)
#define HEADER_SIZE (4 * KiB)
#define REGION_TABLE1_OFFSET (192 * KiB)
#define REGION_TABLE2_OFFSET (256 * KiB)
#define REGION_TABLE_SIZE (64 * KiB)
#define REGION_MAX_ENTRIES 2047u
#define METADATA_TABLE_SIZE (64 * KiB)
#define METADATA_MAX_ENTRIES 2047u
#define METADATA_ITEM_MAX (1 * MiB)
#define LOG_SECTOR 4096u
#define LOG_ENTRY_HEADER_SIZE 64u
#define LOG_DESCRIPTOR_SIZE 32u
#define SECTOR_BITMAP_BLOCK (1 * MiB)

/* Bounds.  The spec caps a disk at 64 TiB; the log and BAT bounds keep
 * what is read into memory at open modest (Hyper-V writes a 1 MiB log and
 * 32 MiB blocks, so a 64 TiB disk has a 16 MiB BAT). */
#define MAX_DISK_SIZE (64 * TiB)
#define MAX_LOG_BYTES (64 * MiB)
#define MAX_BAT_BYTES (256 * MiB)
#define MAX_FILE_SIZE (UINT64_C (1) << 62)
#define MAX_LOCATOR_ENTRIES 256u

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

#define BITMAP_CACHE_ENTRIES 8
/* Blocks looked at per block status call when merging. */
#define MERGE_BLOCKS 4096

/* A GUID as stored on disk: Data1 (le32), Data2 (le16), Data3 (le16),
 * then Data4 as 8 bytes. */
typedef struct { uint8_t b[16]; } vhdx_guid;

#define GUID_INIT(d1, d2, d3, a, b_, c, d, e, f, g, h)                    \
  { { (d1) & 0xff, ((d1) >> 8) & 0xff, ((d1) >> 16) & 0xff,               \
      ((uint32_t) (d1) >> 24) & 0xff, (d2) & 0xff, ((d2) >> 8) & 0xff,     \
      (d3) & 0xff, ((d3) >> 8) & 0xff, a, b_, c, d, e, f, g, h } }

static const vhdx_guid guid_bat_region =
  GUID_INIT (0x2DC27766, 0xF623, 0x4200,
             0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08);
static const vhdx_guid guid_metadata_region =
  GUID_INIT (0x8B7CA206, 0x4790, 0x4B9A,
             0xB8, 0xFE, 0x57, 0x5F, 0x05, 0x0F, 0x88, 0x6E);
static const vhdx_guid guid_file_parameters =
  GUID_INIT (0xCAA16737, 0xFA36, 0x4D43,
             0xB3, 0xB6, 0x33, 0xF0, 0xAA, 0x44, 0xE7, 0x6B);
static const vhdx_guid guid_virtual_disk_size =
  GUID_INIT (0x2FA54224, 0xCD1B, 0x4876,
             0xB2, 0x11, 0x5D, 0xBE, 0xD8, 0x3B, 0xF4, 0xB8);
static const vhdx_guid guid_virtual_disk_id =
  GUID_INIT (0xBECA12AB, 0xB2E6, 0x4523,
             0x93, 0xEF, 0xC3, 0x09, 0xE0, 0x00, 0xC7, 0x46);
static const vhdx_guid guid_logical_sector_size =
  GUID_INIT (0x8141BF1D, 0xA96F, 0x4709,
             0xBA, 0x47, 0xF2, 0x33, 0xA8, 0xFA, 0xAB, 0x5F);
static const vhdx_guid guid_physical_sector_size =
  GUID_INIT (0xCDA348C7, 0x445D, 0x4471,
             0x9C, 0xC9, 0xE9, 0x88, 0x52, 0x51, 0xC5, 0x56);
static const vhdx_guid guid_parent_locator =
  GUID_INIT (0xA8D35F2D, 0xB30B, 0x454D,
             0xAB, 0xF7, 0xD3, 0xD8, 0x48, 0x34, 0xAB, 0x0C);
static const vhdx_guid guid_vhdx_locator_type =
  GUID_INIT (0xB04AEFB7, 0xD19E, 0x4A81,
             0xB7, 0x89, 0x25, 0xB8, 0xE9, 0x44, 0x59, 0x13);

struct vhdx_header {
  uint32_t checksum;
  uint64_t sequence;
  vhdx_guid file_write_guid;
  vhdx_guid data_write_guid;
  vhdx_guid log_guid;
  uint16_t log_version;
  uint16_t version;
  uint32_t log_length;
  uint64_t log_offset;
};

/* One piece of the replayed log: [start, end) of the file reads as data
 * (NULL = zeros).  Segments are sorted and do not overlap. */
struct overlay_segment {
  uint64_t start, end;
  const uint8_t *data;         /* bytes for `start` onwards */
};

struct locator_entry {
  char *key, *value;           /* UTF-8 */
};

struct bitmap_cache_entry {
  uint64_t block;
  uint8_t *bits;               /* NULL = empty slot */
};

struct vhdx_layer {
  uint64_t file_size;          /* on the host */
  uint64_t vfile_size;         /* after log replay (>= file_size) */

  struct vhdx_header header;   /* the current one */
  int header_index;            /* 1 or 2 */

  bool log_replayed;
  uint8_t *log_sectors;        /* replacement sectors the overlay points to */
  struct overlay_segment *overlay;
  size_t n_overlay;

  uint64_t bat_offset, bat_length;
  uint64_t metadata_offset, metadata_length;

  uint32_t block_size;
  bool leave_blocks_allocated;
  bool has_parent;
  uint64_t disk_size;
  bool has_disk_id;
  vhdx_guid disk_id;
  uint32_t logical_sector_size;
  uint32_t physical_sector_size;

  struct locator_entry *locator;
  size_t n_locator;
  vhdx_guid parent_linkage, parent_linkage2;
  bool has_linkage2;

  uint64_t *bat;               /* host order, every entry checked */
  uint64_t bat_entries;
  uint64_t chunk_ratio;
  uint64_t n_blocks;

  pthread_mutex_t lock;        /* guards the bitmap cache */
  struct bitmap_cache_entry bitmap_cache[BITMAP_CACHE_ENTRIES];
  unsigned bitmap_cache_next;
};

extern const struct disk_driver disk_driver_vhdx;

static bool
guid_equal (const vhdx_guid *a, const vhdx_guid *b)
{
  return memcmp (a->b, b->b, 16) == 0;
}

static bool
guid_is_zero (const vhdx_guid *g)
{
  static const vhdx_guid zero;
  return guid_equal (g, &zero);
}

static void
guid_decode (const uint8_t *p, vhdx_guid *g)
{
  memcpy (g->b, p, 16);
}

/* "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" (37 bytes with the NUL). */
static const char *
guid_format (const vhdx_guid *g, char *s, size_t len)
{
  const uint8_t *b = g->b;

  snprintf (s, len, "%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
            get_le32 (b), get_le16 (b + 4), get_le16 (b + 6), b[8], b[9], b[10], b[11],
            b[12], b[13], b[14], b[15]);
  return s;
}

/* Parse "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (braces optional) into
 * the on-disk byte order.  Returns 0 or -1 (no error set). */
static int
guid_parse (const char *s, vhdx_guid *g)
{
  uint8_t v[16];
  size_t len = strlen (s);
  int n = 0;

  if (len == 38 && s[0] == '{' && s[37] == '}') {
    s++;
    len = 36;
  }
  if (len != 36)
    return -1;
  for (size_t i = 0; i < 36; i++) {
    int d;
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-')
        return -1;
      continue;
    }
    if (s[i] >= '0' && s[i] <= '9')
      d = s[i] - '0';
    else if (s[i] >= 'a' && s[i] <= 'f')
      d = s[i] - 'a' + 10;
    else if (s[i] >= 'A' && s[i] <= 'F')
      d = s[i] - 'A' + 10;
    else
      return -1;
    if (n % 2 == 0)
      v[n / 2] = (uint8_t) (d << 4);
    else
      v[n / 2] |= (uint8_t) d;
    n++;
  }
  /* v is the textual (big-endian) order; the first three fields are
   * stored little-endian. */
  g->b[0] = v[3]; g->b[1] = v[2]; g->b[2] = v[1]; g->b[3] = v[0];
  g->b[4] = v[5]; g->b[5] = v[4];
  g->b[6] = v[7]; g->b[7] = v[6];
  memcpy (g->b + 8, v + 8, 8);
  return 0;
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

/* CRC-32C of buf[0..len) with the 4-byte checksum field at
 * checksum_at taken as zero. */
static uint32_t
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

/* Read file bytes as they are once the log is replayed. */
static int
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
  guid_decode (b + 16, &h->file_write_guid);
  guid_decode (b + 32, &h->data_write_guid);
  guid_decode (b + 48, &h->log_guid);
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
/* Log replay                                                         */
/* ------------------------------------------------------------------ */

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
  guid_decode (hdr + 32, &g);
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
  if (!guid_equal (&g, log_guid)) {
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

static int
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
               guid_format (&h->log_guid, gs, sizeof gs), why0);
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

    guid_decode (e, &g);
    if (!guid_equal (&g, &guid_bat_region)
        && !guid_equal (&g, &guid_metadata_region)) {
      if (required) {
        error_set ("vhdx: %s: region table entry %" PRIu32 " is an unknown "
                   "region %s marked required: this file needs features "
                   "ferry does not support", disk->path, i,
                   guid_format (&g, gs, sizeof gs));
        return -1;
      }
      log_debug ("vhdx: %s: ignoring optional unknown region %s",
                 disk->path, guid_format (&g, gs, sizeof gs));
      continue;
    }
    if (off % MiB != 0 || len % MiB != 0 || off < MiB || len == 0
        || checked_add (off, len, &end) || end > l->vfile_size) {
      error_set ("vhdx: %s: %s region (offset %" PRIu64 ", length %" PRIu64
                 ") is empty, not 1 MiB aligned, or past end of file (size %"
                 PRIu64 ")", disk->path,
                 guid_equal (&g, &guid_bat_region) ? "BAT" : "metadata",
                 off, len, l->vfile_size);
      return -1;
    }
    if (off < log_end && end > l->header.log_offset) {
      error_set ("vhdx: %s: %s region (offset %" PRIu64 ", length %" PRIu64
                 ") overlaps the log", disk->path,
                 guid_equal (&g, &guid_bat_region) ? "BAT" : "metadata",
                 off, len);
      return -1;
    }
    if (guid_equal (&g, &guid_bat_region)) {
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
/* Metadata                                                           */
/* ------------------------------------------------------------------ */

/* A parent locator string (UTF-16LE) as malloc'd UTF-8; NULL with the
 * error set. */
static char *
vhdx_locator_string (struct disk *disk, const uint8_t *p, size_t bytes)
{
  size_t n = bytes / 2, units;
  char *out;

  /* Some writers count a terminating NUL in the length. */
  while (n > 0 && get_le16 (p + 2 * (n - 1)) == 0)
    n--;
  out = path_utf16_to_utf8 (p, 2 * n, false, &units);
  if (out == NULL) {
    error_prefix ("vhdx: %s: parent locator", disk->path);
    return NULL;
  }
  if (units < n) {
    error_set ("vhdx: %s: parent locator string holds a NUL character",
               disk->path);
    free (out);
    return NULL;
  }
  return out;
}

static const char *
locator_get (const struct vhdx_layer *l, const char *key)
{
  for (size_t i = 0; i < l->n_locator; i++)
    if (strcmp (l->locator[i].key, key) == 0)
      return l->locator[i].value;
  return NULL;
}

static int
vhdx_read_parent_locator (struct disk *disk, struct vhdx_layer *l,
                          const uint8_t *item, uint32_t len)
{
  vhdx_guid type;
  uint16_t count;
  const char *s;
  char gs[40];

  if (len < 20) {
    error_set ("vhdx: %s: parent locator is too short (%" PRIu32 " bytes)",
               disk->path, len);
    return -1;
  }
  guid_decode (item, &type);
  if (!guid_equal (&type, &guid_vhdx_locator_type)) {
    error_set ("vhdx: %s: unsupported parent locator type %s (only VHDX "
               "parents are defined)", disk->path,
               guid_format (&type, gs, sizeof gs));
    return -1;
  }
  count = get_le16 (item + 18);
  if (count > MAX_LOCATOR_ENTRIES || 20 + (uint64_t) count * 12 > len) {
    error_set ("vhdx: %s: parent locator has %u entries, more than fit in "
               "its %" PRIu32 " bytes", disk->path, count, len);
    return -1;
  }
  l->locator = calloc (count ? count : 1, sizeof *l->locator);
  if (l->locator == NULL) {
    error_set_errno (errno, "vhdx: %s: calloc", disk->path);
    return -1;
  }
  for (uint16_t i = 0; i < count; i++) {
    const uint8_t *e = item + 20 + 12 * i;
    uint64_t ko = get_le32 (e), vo = get_le32 (e + 4);
    uint64_t kl = get_le16 (e + 8), vl = get_le16 (e + 10);
    struct locator_entry *le = &l->locator[l->n_locator];

    if (kl == 0 || vl == 0 || kl % 2 || vl % 2 || ko + kl > len
        || vo + vl > len) {
      error_set ("vhdx: %s: parent locator entry %u (key at %" PRIu64
                 ", %" PRIu64 " bytes; value at %" PRIu64 ", %" PRIu64
                 " bytes) is empty, odd-sized or outside the locator",
                 disk->path, i, ko, kl, vo, vl);
      return -1;
    }
    le->key = vhdx_locator_string (disk, item + ko, kl);
    if (le->key == NULL)
      return -1;
    le->value = vhdx_locator_string (disk, item + vo, vl);
    if (le->value == NULL) {
      free (le->key);
      return -1;
    }
    l->n_locator++;
    if (locator_get (l, le->key) != le->value) {
      error_set ("vhdx: %s: parent locator lists \"%s\" twice", disk->path,
                 le->key);
      return -1;
    }
    log_debug ("vhdx: %s: parent locator %s = %s", disk->path, le->key,
               le->value);
  }

  s = locator_get (l, "parent_linkage");
  if (s == NULL) {
    error_set ("vhdx: %s: parent locator has no parent_linkage", disk->path);
    return -1;
  }
  if (guid_parse (s, &l->parent_linkage) == -1) {
    error_set ("vhdx: %s: parent_linkage \"%s\" is not a GUID", disk->path,
               s);
    return -1;
  }
  s = locator_get (l, "parent_linkage2");
  if (s != NULL) {
    if (guid_parse (s, &l->parent_linkage2) == -1) {
      error_set ("vhdx: %s: parent_linkage2 \"%s\" is not a GUID",
                 disk->path, s);
      return -1;
    }
    l->has_linkage2 = true;
  }
  return 0;
}

/* The parent's file name: relative_path, else the base name of a Windows
 * path (which cannot exist here) looked up next to this file. */
static int
vhdx_set_backing_path (struct disk *disk, struct vhdx_layer *l)
{
  const char *rel = locator_get (l, "relative_path");
  static const char *const win_keys[] = {
    "absolute_win32_path", "volume_path",
  };

  if (rel != NULL) {
    disk->backing_path = path_windows_to_posix (rel);
    if (disk->backing_path == NULL)
      goto nomem;
    return 0;
  }
  for (size_t i = 0; i < sizeof win_keys / sizeof win_keys[0]; i++) {
    const char *w = locator_get (l, win_keys[i]), *base;

    if (w == NULL)
      continue;
    base = path_windows_base_name (w);
    if (*base == '\0')
      continue;
    log_debug ("vhdx: %s: no relative_path; %s is \"%s\", looking for \"%s\" "
               "next to this file", disk->path, win_keys[i], w, base);
    disk->backing_path = strdup (base);
    if (disk->backing_path == NULL)
      goto nomem;
    return 0;
  }
  error_set ("vhdx: %s: differencing disk whose parent locator names no "
             "parent file (no relative_path, absolute_win32_path or "
             "volume_path)", disk->path);
  return -1;

nomem:
  error_set_errno (errno, "vhdx: %s: strdup", disk->path);
  return -1;
}

static int
vhdx_read_metadata (struct disk *disk, struct vhdx_layer *l)
{
  CLEANUP_FREE uint8_t *table = malloc (METADATA_TABLE_SIZE);
  uint16_t count;
  bool have_params = false, have_size = false, have_logical = false;
  bool have_physical = false, have_locator = false;
  char gs[40];

  if (table == NULL) {
    error_set_errno (errno, "vhdx: %s: malloc", disk->path);
    return -1;
  }
  if (vhdx_read_file (disk, l, table, METADATA_TABLE_SIZE,
                      l->metadata_offset) == -1)
    return -1;
  if (memcmp (table, "metadata", 8) != 0) {
    error_set ("vhdx: %s: metadata region at offset %" PRIu64 " has no "
               "\"metadata\" signature", disk->path, l->metadata_offset);
    return -1;
  }
  count = get_le16 (table + 10);
  if (count > METADATA_MAX_ENTRIES) {
    error_set ("vhdx: %s: metadata table has %u entries (at most %u)",
               disk->path, count, METADATA_MAX_ENTRIES);
    return -1;
  }
  for (uint16_t i = 0; i < count; i++) {
    const uint8_t *e = table + 32 + 32 * i;
    vhdx_guid g;
    uint32_t off = get_le32 (e + 16), len = get_le32 (e + 20);
    uint32_t flags = get_le32 (e + 24);
    bool required = flags & 4;
    CLEANUP_FREE uint8_t *item = NULL;

    guid_decode (e, &g);
    for (uint16_t j = 0; j < i; j++) {
      if (memcmp (table + 32 + 32 * j, e, 16) == 0) {
        error_set ("vhdx: %s: metadata item %s is listed twice", disk->path,
                   guid_format (&g, gs, sizeof gs));
        return -1;
      }
    }
    if ((len == 0 && off != 0) || (len != 0 && off < METADATA_TABLE_SIZE)
        || len > METADATA_ITEM_MAX
        || (uint64_t) off + len > l->metadata_length) {
      error_set ("vhdx: %s: metadata item %s (offset %" PRIu32 ", length %"
                 PRIu32 ") lies outside the metadata region (length %" PRIu64
                 ")", disk->path, guid_format (&g, gs, sizeof gs), off, len,
                 l->metadata_length);
      return -1;
    }
    if (len) {
      item = malloc (len);
      if (item == NULL) {
        error_set_errno (errno, "vhdx: %s: malloc", disk->path);
        return -1;
      }
      if (vhdx_read_file (disk, l, item, len, l->metadata_offset + off) == -1)
        return -1;
    }

#define NEED_LEN(n, what)                                                   \
    if (len < (n)) {                                                        \
      error_set ("vhdx: %s: metadata item %s is %" PRIu32 " bytes, "        \
                 "expected %u", disk->path, what, len, (unsigned) (n));     \
      return -1;                                                            \
    }

    if (guid_equal (&g, &guid_file_parameters)) {
      uint32_t fl;
      NEED_LEN (8, "File Parameters");
      l->block_size = get_le32 (item);
      fl = get_le32 (item + 4);
      l->leave_blocks_allocated = fl & 1;
      l->has_parent = fl & 2;
      have_params = true;
    }
    else if (guid_equal (&g, &guid_virtual_disk_size)) {
      NEED_LEN (8, "Virtual Disk Size");
      l->disk_size = get_le64 (item);
      have_size = true;
    }
    else if (guid_equal (&g, &guid_virtual_disk_id)) {
      NEED_LEN (16, "Virtual Disk ID");
      guid_decode (item, &l->disk_id);
      l->has_disk_id = true;
    }
    else if (guid_equal (&g, &guid_logical_sector_size)) {
      NEED_LEN (4, "Logical Sector Size");
      l->logical_sector_size = get_le32 (item);
      have_logical = true;
    }
    else if (guid_equal (&g, &guid_physical_sector_size)) {
      NEED_LEN (4, "Physical Sector Size");
      l->physical_sector_size = get_le32 (item);
      have_physical = true;
    }
    else if (guid_equal (&g, &guid_parent_locator)) {
      if (vhdx_read_parent_locator (disk, l, item, len) == -1)
        return -1;
      have_locator = true;
    }
    else if (required) {
      error_set ("vhdx: %s: unknown metadata item %s is marked required: "
                 "this file needs features ferry does not support",
                 disk->path, guid_format (&g, gs, sizeof gs));
      return -1;
    }
    else
      log_debug ("vhdx: %s: ignoring optional metadata item %s",
                 disk->path, guid_format (&g, gs, sizeof gs));
#undef NEED_LEN
  }

  if (!have_params || !have_size || !have_logical) {
    error_set ("vhdx: %s: metadata has no %s item", disk->path,
               !have_params ? "File Parameters"
               : !have_size ? "Virtual Disk Size" : "Logical Sector Size");
    return -1;
  }
  if (l->block_size < MiB || l->block_size > 256 * MiB
      || !is_power_of_2 (l->block_size)) {
    error_set ("vhdx: %s: block size %" PRIu32 " is not a power of two "
               "between 1 MiB and 256 MiB", disk->path, l->block_size);
    return -1;
  }
  if (l->logical_sector_size != 512 && l->logical_sector_size != 4096) {
    error_set ("vhdx: %s: logical sector size %" PRIu32 " is neither 512 "
               "nor 4096", disk->path, l->logical_sector_size);
    return -1;
  }
  if (have_physical && l->physical_sector_size != 512
      && l->physical_sector_size != 4096) {
    error_set ("vhdx: %s: physical sector size %" PRIu32 " is neither 512 "
               "nor 4096", disk->path, l->physical_sector_size);
    return -1;
  }
  if (l->disk_size > MAX_DISK_SIZE) {
    error_set ("vhdx: %s: virtual disk size %" PRIu64 " is larger than "
               "64 TiB", disk->path, l->disk_size);
    return -1;
  }
  if (l->disk_size % l->logical_sector_size != 0) {
    error_set ("vhdx: %s: virtual disk size %" PRIu64 " is not a multiple "
               "of the logical sector size %" PRIu32, disk->path,
               l->disk_size, l->logical_sector_size);
    return -1;
  }
  if (l->has_parent && !have_locator) {
    error_set ("vhdx: %s: differencing disk (HasParent) without a parent "
               "locator", disk->path);
    return -1;
  }
  if (!l->has_parent && have_locator)
    log_debug ("vhdx: %s: ignoring a parent locator: HasParent is not set",
               disk->path);
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
  if (guid_equal (&pl->header.data_write_guid, &l->parent_linkage)
      || (l->has_linkage2
          && guid_equal (&pl->header.data_write_guid, &l->parent_linkage2)))
    return 0;
  guid_format (&l->parent_linkage, want, sizeof want);
  guid_format (&l->parent_linkage2, want2, sizeof want2);
  guid_format (&pl->header.data_write_guid, have, sizeof have);
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
                          ? guid_format (&l->disk_id, gs, sizeof gs)
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
