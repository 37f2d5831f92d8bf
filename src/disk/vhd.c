/* vhd.c: Microsoft VHD (Virtual PC, Virtual Server, Hyper-V generation 1;
 * "vpc" in QEMU), read-only.
 *
 * Written from Microsoft's "Virtual Hard Disk Image Format Specification"
 * (version 1.0, 2006).  All fields are big-endian.  A layer is one file:
 *
 *   fixed          [ guest bytes ............................ ][ footer ]
 *   dynamic,       [ footer copy ][ dynamic header ][ locator data ][ BAT ]
 *   differencing     [ bitmap | block ] [ bitmap | block ] ...   [ footer ]
 *
 * The 512-byte footer ("conectix") says the disk type, size and UUID; a
 * dynamic or differencing disk keeps a copy at offset 0 and its 1024-byte
 * dynamic header ("cxsparse") at the footer's data offset.  The header
 * names the block allocation table (BAT): one u32 sector offset per block,
 * 0xFFFFFFFF when the block is not allocated.  Each allocated block starts
 * with a sector bitmap (1 bit per sector, most significant bit first,
 * padded to whole sectors), followed by the block's data.
 *
 * What reads as what (each choice is explained where it is made):
 *   fixed                 the file's bytes; host holes are EXTENT_ZERO
 *   dynamic, no block     EXTENT_ZERO (the format gives it no parent)
 *   dynamic, block        EXTENT_DATA for the whole block, bitmap ignored
 *   differencing, no block, or bitmap bit clear   EXTENT_UNALLOCATED
 *   differencing, bitmap bit set                  EXTENT_DATA
 *
 * Where ferry and QEMU 7.2's vpc driver differ, on purpose:
 *  - differencing disks: QEMU takes any file with a footer copy at offset
 *    0 for a dynamic disk, so it reads a differencing disk without its
 *    parent (clear-bit sectors read as the child's stale bytes or zeros);
 *    ferry follows the parent as the specification says;
 *  - footers: QEMU reads only the copy at offset 0 when there is one and
 *    refuses a bad checksum there; ferry prefers the footer at the end and
 *    falls back to the other copy;
 *  - QEMU does not verify the dynamic header's checksum, accepts block
 *    sizes above 256 MiB, checks BAT entries only as far as the last block
 *    must end inside the file, and misses the 511-byte footer of pre-2004
 *    fixed disks; ferry checks the checksum, bounds the block size, checks
 *    every BAT entry, and reads the short footer.
 * The virtual size (geometry or current_size) and the reading of dynamic
 * disks' blocks are QEMU's: see vhd_size_decide and vhd_block_run.
 *
 * Invariants: every on-disk offset is checked against the file size before
 * it is used (the whole BAT at open), every size computed from input goes
 * through checked.h, nothing is allocated from an unchecked field.  This
 * driver never writes.  pread and block_status run concurrently; the only
 * mutable state, the sector-bitmap cache, is guarded by vhd_layer.lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"
#include "util/checked.h"
#include "util/endian.h"
#include "util/path.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/json.h"
#include "util/log.h"

#define SECTOR 512u
#define FOOTER_SIZE 512u
#define HEADER_SIZE 1024u

#define DISK_TYPE_FIXED 2u
#define DISK_TYPE_DYNAMIC 3u
#define DISK_TYPE_DIFFERENCING 4u

#define BAT_UNUSED 0xffffffffu

/* Platform codes of parent locators. */
#define PLATFORM_NONE 0u
#define PLATFORM_WI2R 0x57693272u       /* "Wi2r", deprecated */
#define PLATFORM_WI2K 0x5769326bu       /* "Wi2k", deprecated */
#define PLATFORM_W2RU 0x57327275u       /* "W2ru": relative, UTF-16LE */
#define PLATFORM_W2KU 0x57326b75u       /* "W2ku": absolute, UTF-16LE */
#define PLATFORM_MAC 0x4d616320u        /* "Mac ": Mac OS alias blob */
#define PLATFORM_MACX 0x4d616358u       /* "MacX": file URL, UTF-8 */
#define N_LOCATORS 8

/* Bounds.  The specification caps a disk at 2040 GiB (as QEMU does);
 * block sizes are powers of two, 2 MiB in every writer seen, and QEMU
 * accepts any from 512 bytes, so only absurd ones are refused. */
#define MAX_DISK_BYTES (UINT64_C (2040) << 30)
#define MIN_BLOCK_SIZE 512u
#define MAX_BLOCK_SIZE (256u << 20)
#define MAX_BAT_ENTRIES (UINT64_C (1) << 24)   /* 64 MiB of BAT in memory */
#define MAX_LOCATOR_BYTES 65536u               /* a 32767-character path */
/* Largest CHS geometry (cylinders x heads x sectors): when a footer says
 * this, the real size cannot be expressed in CHS and current_size rules. */
#define MAX_CHS_SECTORS (UINT64_C (65535) * 16 * 255)

#define BITMAP_CACHE_ENTRIES 32
/* Blocks looked at per block_status call when merging runs. */
#define MERGE_BLOCKS 1024

struct vhd_footer {
  uint8_t cookie[8];
  uint32_t features;
  uint32_t version;
  uint64_t data_offset;
  uint32_t timestamp;
  char creator_app[4];
  uint32_t creator_version;
  char creator_host[4];
  uint64_t original_size;
  uint64_t current_size;
  uint16_t cylinders;
  uint8_t heads;
  uint8_t sectors_per_track;
  uint32_t disk_type;
  uint32_t checksum;
  uint8_t uuid[16];
  uint8_t saved_state;
};

struct vhd_locator {
  uint32_t code;
  uint32_t space;
  uint32_t length;
  uint64_t offset;
  char *text;                  /* decoded path or URL, or NULL */
};

struct bitmap_cache_entry {
  uint64_t block;
  uint8_t *bits;               /* NULL = empty slot */
};

struct vhd_layer {
  struct vhd_footer footer;
  uint64_t file_size;
  bool size_from_chs;          /* virtual size taken from the geometry */
  bool differencing;

  /* fixed */
  uint64_t data_end;           /* guest bytes are [0, data_end) */

  /* dynamic and differencing */
  uint64_t table_offset;
  uint32_t max_table_entries;
  uint32_t block_size;
  uint32_t bitmap_size;        /* bytes, a multiple of SECTOR */
  uint64_t n_blocks;
  uint32_t *bat;               /* host order, every entry checked */

  /* differencing */
  uint8_t parent_uuid[16];
  uint32_t parent_timestamp;
  char *parent_name;           /* UTF-8, or NULL */
  struct vhd_locator locators[N_LOCATORS];

  pthread_mutex_t lock;
  struct bitmap_cache_entry bitmap_cache[BITMAP_CACHE_ENTRIES];
  unsigned bitmap_cache_next;
};

extern const struct disk_driver disk_driver_vhd;

/* One's complement of the byte sum, the checksum field counted as zero. */
static uint32_t
vhd_checksum (const uint8_t *buf, size_t len, size_t checksum_at)
{
  uint32_t sum = 0;

  for (size_t i = 0; i < len; i++)
    if (i < checksum_at || i >= checksum_at + 4)
      sum += buf[i];
  return ~sum;
}

static void
vhd_format_uuid (const uint8_t *u, char out[37])
{
  /* Printed in stored byte order, as vhdiinfo and qemu-img do. */
  snprintf (out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
            "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
            u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static const char *
vhd_disk_type_name (uint32_t type)
{
  switch (type) {
  case DISK_TYPE_FIXED: return "fixed";
  case DISK_TYPE_DYNAMIC: return "dynamic";
  case DISK_TYPE_DIFFERENCING: return "differencing";
  default: return "unknown";
  }
}

static const char *
vhd_platform_name (uint32_t code, char buf[5])
{
  for (int i = 0; i < 4; i++) {
    uint8_t c = (uint8_t) (code >> (24 - 8 * i));
    buf[i] = c >= 0x20 && c < 0x7f ? (char) c : '?';
  }
  buf[4] = '\0';
  return buf;
}

/* ------------------------------------------------------------------ */
/* Probe                                                              */
/* ------------------------------------------------------------------ */

/* Dynamic and differencing disks start with a copy of the footer.  A
 * fixed disk has its footer only in the last sector, which the probe does
 * not see unless the whole file fits in the buffer: larger fixed disks
 * need the format named (QEMU cannot probe them either; it takes them for
 * raw).  See the proposal for a tail probe in the driver's report. */
static int
vhd_probe (const uint8_t *buf, size_t len, uint64_t file_size)
{
  if (len >= 8 && memcmp (buf, "conectix", 8) == 0)
    return 100;
  if (len == file_size && len >= FOOTER_SIZE
      && memcmp (buf + len - FOOTER_SIZE, "conectix", 8) == 0)
    return 100;
  return 0;
}

/* A fixed VHD's only signature is its footer, in the last 512 bytes.
 * Claim the file only when the footer is whole: cookie, checksum, the
 * fixed type and a size that fits in front of it, so that a raw disk whose
 * last sector merely contains "conectix" stays raw. */
static int
vhd_probe_tail (const uint8_t *tail, size_t len, uint64_t file_size)
{
  if (len < FOOTER_SIZE)
    return 0;
  tail += len - FOOTER_SIZE;
  if (memcmp (tail, "conectix", 8) != 0
      || get_be32 (tail + 64) != vhd_checksum (tail, FOOTER_SIZE, 64)
      || get_be32 (tail + 60) != DISK_TYPE_FIXED
      || get_be64 (tail + 48) > file_size - FOOTER_SIZE)
    return 0;
  return 100;
}

/* ------------------------------------------------------------------ */
/* Footer                                                             */
/* ------------------------------------------------------------------ */

static void
vhd_footer_decode (const uint8_t *b, struct vhd_footer *f)
{
  memcpy (f->cookie, b, 8);
  f->features = get_be32 (b + 8);
  f->version = get_be32 (b + 12);
  f->data_offset = get_be64 (b + 16);
  f->timestamp = get_be32 (b + 24);
  memcpy (f->creator_app, b + 28, 4);
  f->creator_version = get_be32 (b + 32);
  memcpy (f->creator_host, b + 36, 4);
  f->original_size = get_be64 (b + 40);
  f->current_size = get_be64 (b + 48);
  f->cylinders = get_be16 (b + 56);
  f->heads = b[58];
  f->sectors_per_track = b[59];
  f->disk_type = get_be32 (b + 60);
  f->checksum = get_be32 (b + 64);
  memcpy (f->uuid, b + 68, 16);
  f->saved_state = b[84];
}

enum footer_state { FOOTER_OK, FOOTER_NO_COOKIE, FOOTER_BAD_CHECKSUM };

static enum footer_state
vhd_footer_check (const uint8_t *b, char *why, size_t why_len)
{
  uint32_t stored, computed;

  if (memcmp (b, "conectix", 8) != 0) {
    snprintf (why, why_len, "no \"conectix\" cookie");
    return FOOTER_NO_COOKIE;
  }
  stored = get_be32 (b + 64);
  computed = vhd_checksum (b, FOOTER_SIZE, 64);
  if (stored != computed) {
    snprintf (why, why_len, "checksum 0x%08" PRIx32 ", expected 0x%08"
              PRIx32, stored, computed);
    return FOOTER_BAD_CHECKSUM;
  }
  return FOOTER_OK;
}

/* Find a valid footer: the one at the end of the file, else (dynamic and
 * differencing disks) its copy at offset 0.  QEMU reads only the copy at
 * offset 0 when it has the cookie and refuses a bad checksum there; the
 * specification makes the copy at the end authoritative and the one at
 * the start a mirror for recovery, which is what this follows. */
static int
vhd_footer_read (struct disk *disk, struct vhd_layer *l)
{
  uint8_t head[FOOTER_SIZE], tail[FOOTER_SIZE];
  char head_why[64], tail_why[64];
  enum footer_state hs, ts;
  uint64_t tail_at;

  if (l->file_size < FOOTER_SIZE) {
    error_set ("vhd: %s: file is too short (%" PRIu64 " bytes) to hold a "
               "VHD footer", disk->path, l->file_size);
    return -1;
  }
  if (disk_file_pread (disk, head, FOOTER_SIZE, 0) == -1)
    return -1;
  tail_at = l->file_size - FOOTER_SIZE;
  if (disk_file_pread (disk, tail, FOOTER_SIZE, tail_at) == -1)
    return -1;
  ts = vhd_footer_check (tail, tail_why, sizeof tail_why);
  /* Before Virtual PC 2004, fixed disks ended in a 511-byte footer (the
   * specification's words); its checksum is the same with a zero pad. */
  if (ts == FOOTER_NO_COOKIE && l->file_size % SECTOR == SECTOR - 1) {
    uint8_t short_footer[FOOTER_SIZE] = { 0 };
    char why[64];
    memcpy (short_footer, tail + 1, FOOTER_SIZE - 1);
    if (vhd_footer_check (short_footer, why, sizeof why) == FOOTER_OK) {
      memcpy (tail, short_footer, FOOTER_SIZE);
      tail_at++;
      ts = FOOTER_OK;
    }
  }
  hs = vhd_footer_check (head, head_why, sizeof head_why);

  if (ts == FOOTER_OK) {
    vhd_footer_decode (tail, &l->footer);
    if (hs == FOOTER_OK && memcmp (head, tail, FOOTER_SIZE) != 0
        && l->footer.disk_type != DISK_TYPE_FIXED)
      log_debug ("vhd: %s: the footer copy at offset 0 differs from the "
                 "footer at the end; using the one at the end", disk->path);
    l->data_end = tail_at;
  }
  else if (hs == FOOTER_OK) {
    vhd_footer_decode (head, &l->footer);
    if (l->footer.disk_type == DISK_TYPE_FIXED) {
      error_set ("vhd: %s: the footer at the end of the file is damaged "
                 "(%s) and the copy at offset 0 says the disk is fixed, "
                 "which has no copy there", disk->path, tail_why);
      return -1;
    }
    log_debug ("vhd: %s: the footer at the end of the file is damaged (%s); "
               "using its copy at offset 0", disk->path, tail_why);
    l->data_end = l->file_size;
  }
  else if (hs == FOOTER_NO_COOKIE && ts == FOOTER_NO_COOKIE) {
    error_set ("vhd: %s: not a VHD image (no \"conectix\" footer at the "
               "start or the end of the file)", disk->path);
    return -1;
  }
  else if (hs == FOOTER_NO_COOKIE) {
    error_set ("vhd: %s: the footer at offset %" PRIu64 " is damaged (%s)",
               disk->path, tail_at, tail_why);
    return -1;
  }
  else if (ts == FOOTER_NO_COOKIE) {
    error_set ("vhd: %s: the footer copy at offset 0 is damaged (%s) and "
               "there is no footer at the end of the file", disk->path,
               head_why);
    return -1;
  }
  else {
    error_set ("vhd: %s: both copies of the footer are damaged (at offset "
               "0: %s; at offset %" PRIu64 ": %s)", disk->path, head_why,
               tail_at, tail_why);
    return -1;
  }

  if (l->footer.version >> 16 != 1) {
    error_set ("vhd: %s: unsupported file format version 0x%08" PRIx32
               " (expected 0x00010000)", disk->path, l->footer.version);
    return -1;
  }
  if (l->footer.disk_type != DISK_TYPE_FIXED
      && l->footer.disk_type != DISK_TYPE_DYNAMIC
      && l->footer.disk_type != DISK_TYPE_DIFFERENCING) {
    error_set ("vhd: %s: disk type %" PRIu32 " is not fixed (2), dynamic (3) "
               "or differencing (4)", disk->path, l->footer.disk_type);
    return -1;
  }
  return 0;
}

/* The guest-visible size, as QEMU 7.2 decides it (block/vpc.c, read for
 * its behaviour): Virtual PC sizes a disk by its CHS geometry, Hyper-V and
 * most later tools by current_size, and the two differ because a geometry
 * cannot express most sizes.  current_size is used when the creator
 * application is one known to use it ("win ", "qem2", "d2v ", "CTXS",
 * "tap\0"), or when the geometry is the largest one (so the size did not
 * fit); otherwise ("vpc ", "vs  ", "qemu", anything unknown) the geometry.
 * QEMU's runtime option force_size_calc can override this; ferry has no
 * such override.  Images made by `qemu-img create` without force_size have
 * current_size equal to the geometry's size, so both rules agree on them;
 * with force_size=on they say "qem2" and the maximum geometry.  Where the
 * geometry is used and current_size is larger, the tail beyond the
 * geometry is not guest-visible (as in Virtual PC and QEMU). */
static void
vhd_size_decide (struct disk *disk, struct vhd_layer *l)
{
  static const char current_size_apps[][4] = {
    { 'w', 'i', 'n', ' ' }, { 'q', 'e', 'm', '2' }, { 'd', '2', 'v', ' ' },
    { 'C', 'T', 'X', 'S' }, { 't', 'a', 'p', '\0' },
  };
  const struct vhd_footer *f = &l->footer;
  uint64_t chs = (uint64_t) f->cylinders * f->heads * f->sectors_per_track;
  bool use_current = chs == MAX_CHS_SECTORS;

  for (size_t i = 0; i < sizeof current_size_apps / 4; i++)
    if (memcmp (f->creator_app, current_size_apps[i], 4) == 0)
      use_current = true;
  l->size_from_chs = !use_current;
  if (use_current)
    disk->size = round_down (f->current_size, SECTOR);
  else {
    disk->size = chs * SECTOR;
    if (disk->size != f->current_size)
      log_debug ("vhd: %s: size %" PRIu64 " from the geometry %u/%u/%u, not "
                 "current_size %" PRIu64 " (creator \"%.4s\")", disk->path,
                 disk->size, f->cylinders, f->heads, f->sectors_per_track,
                 f->current_size, f->creator_app);
  }
}

/* ------------------------------------------------------------------ */
/* Dynamic header, parent locators, BAT                               */
/* ------------------------------------------------------------------ */

/* Read and decode the locators of a differencing disk.  Bad bounds are
 * errors (the header is damaged); undecodable text only drops that
 * locator, since another one may still name the parent. */
static int
vhd_locators_load (struct disk *disk, struct vhd_layer *l,
                   const uint8_t *header)
{
  for (int i = 0; i < N_LOCATORS; i++) {
    const uint8_t *e = header + 576 + 24 * i;
    struct vhd_locator *loc = &l->locators[i];
    CLEANUP_FREE uint8_t *data = NULL;
    char name[5], what[64];
    uint64_t end;

    loc->code = get_be32 (e);
    loc->space = get_be32 (e + 4);
    loc->length = get_be32 (e + 8);
    loc->offset = get_be64 (e + 16);
    if (loc->code == PLATFORM_NONE)
      continue;
    vhd_platform_name (loc->code, name);
    if (loc->length > MAX_LOCATOR_BYTES) {
      error_set ("vhd: %s: parent locator %d (%s) is %" PRIu32 " bytes long "
                 "(at most %u)", disk->path, i, name, loc->length,
                 MAX_LOCATOR_BYTES);
      return -1;
    }
    if (checked_add (loc->offset, loc->length, &end) || end > l->file_size) {
      error_set ("vhd: %s: parent locator %d (%s) points past end of file "
                 "(offset %" PRIu64 ", %" PRIu32 " bytes, file size %" PRIu64
                 ")", disk->path, i, name, loc->offset, loc->length,
                 l->file_size);
      return -1;
    }
    /* The specification counts the data space in sectors; Windows writes
     * bytes.  Either reading must hold the data. */
    if (loc->space < loc->length
        && (uint64_t) loc->space * SECTOR < loc->length) {
      error_set ("vhd: %s: parent locator %d (%s) holds %" PRIu32 " bytes in "
                 "a data space of %" PRIu32, disk->path, i, name,
                 loc->length, loc->space);
      return -1;
    }
    if (loc->length == 0)
      continue;
    if (loc->code != PLATFORM_W2RU && loc->code != PLATFORM_W2KU
        && loc->code != PLATFORM_MACX) {
      /* "Mac " is an alias blob; the deprecated Wi2r/Wi2k have no
       * documented encoding. */
      log_debug ("vhd: %s: ignoring parent locator %d (%s)", disk->path, i,
                 name);
      continue;
    }
    data = malloc (loc->length + 1);
    if (data == NULL) {
      error_set_errno (errno, "vhd: %s: allocating a parent locator",
                       disk->path);
      return -1;
    }
    if (disk_file_pread (disk, data, loc->length, loc->offset) == -1)
      return -1;
    snprintf (what, sizeof what, "parent locator %d (%s)", i, name);
    if (loc->code == PLATFORM_MACX) {
      data[loc->length] = '\0';
      loc->text = strdup ((char *) data);   /* stops at a NUL, if any */
      if (loc->text == NULL) {
        error_set_errno (errno, "vhd: %s: strdup", disk->path);
        return -1;
      }
    }
    else {
      loc->text = path_utf16_to_utf8 (data, loc->length, false, NULL);
      if (loc->text == NULL) {
        error_prefix ("vhd: %s: %s", disk->path, what);
        log_debug ("%s; ignoring it", error_message ());
        error_clear ();
      }
    }
  }
  return 0;
}

/* Load the dynamic header of a dynamic or differencing disk. */
static int
vhd_header_read (struct disk *disk, struct vhd_layer *l)
{
  uint8_t h[HEADER_SIZE];
  uint64_t end, header_version, stored, computed;
  const uint64_t data_offset = l->footer.data_offset;

  if (checked_add (data_offset, HEADER_SIZE, &end) || end > l->file_size) {
    error_set ("vhd: %s: dynamic disk header (offset %" PRIu64 ") points past "
               "end of file (size %" PRIu64 ")", disk->path, data_offset,
               l->file_size);
    return -1;
  }
  if (disk_file_pread (disk, h, HEADER_SIZE, data_offset) == -1)
    return -1;
  if (memcmp (h, "cxsparse", 8) != 0) {
    error_set ("vhd: %s: no dynamic disk header (\"cxsparse\") at offset %"
               PRIu64, disk->path, data_offset);
    return -1;
  }
  stored = get_be32 (h + 36);
  computed = vhd_checksum (h, HEADER_SIZE, 36);
  if (stored != computed) {
    error_set ("vhd: %s: dynamic disk header checksum mismatch (stored 0x%08"
               PRIx64 ", computed 0x%08" PRIx64 ")", disk->path, stored,
               computed);
    return -1;
  }
  header_version = get_be32 (h + 24);
  if (header_version >> 16 != 1) {
    error_set ("vhd: %s: unsupported dynamic header version 0x%08" PRIx64,
               disk->path, header_version);
    return -1;
  }
  l->table_offset = get_be64 (h + 16);
  l->max_table_entries = get_be32 (h + 28);
  l->block_size = get_be32 (h + 32);
  if (l->block_size < MIN_BLOCK_SIZE || l->block_size > MAX_BLOCK_SIZE
      || !is_power_of_2 (l->block_size)) {
    error_set ("vhd: %s: block size %" PRIu32 " is not a power of two between "
               "%u and %u", disk->path, l->block_size, MIN_BLOCK_SIZE,
               MAX_BLOCK_SIZE);
    return -1;
  }
  /* one bit per sector, padded to whole sectors */
  l->bitmap_size = round_up (round_up (l->block_size / SECTOR, 8) / 8,
                             SECTOR);

  if (l->differencing) {
    memcpy (l->parent_uuid, h + 40, 16);
    l->parent_timestamp = get_be32 (h + 56);
    l->parent_name = path_utf16_to_utf8 (h + 64, 512, true, NULL);
    if (l->parent_name == NULL) {
      error_prefix ("vhd: %s: the parent name", disk->path);
      log_debug ("%s; ignoring it", error_message ());
      error_clear ();
    }
    if (vhd_locators_load (disk, l, h) == -1)
      return -1;
  }
  return 0;
}

/* Bytes of block b that lie inside the disk. */
static uint64_t
vhd_block_valid_bytes (const struct disk *disk, const struct vhd_layer *l,
                       uint64_t b)
{
  return min_u64 (l->block_size, disk->size - b * l->block_size);
}

static int
vhd_bat_load (struct disk *disk, struct vhd_layer *l)
{
  uint64_t table_bytes, end;
  CLEANUP_FREE uint8_t *raw = NULL;

  l->n_blocks = disk->size / l->block_size
    + (disk->size % l->block_size != 0);
  if (l->max_table_entries < l->n_blocks) {
    error_set ("vhd: %s: the BAT has %" PRIu32 " entries, too few for a disk "
               "of %" PRIu64 " bytes in %" PRIu32 "-byte blocks (%" PRIu64
               " needed)", disk->path, l->max_table_entries, disk->size,
               l->block_size, l->n_blocks);
    return -1;
  }
  if (l->n_blocks > MAX_BAT_ENTRIES) {
    error_set ("vhd: %s: a BAT of %" PRIu64 " entries is too large (at most %"
               PRIu64 ")", disk->path, l->n_blocks, MAX_BAT_ENTRIES);
    return -1;
  }
  /* The whole table as the header declares it must be in the file, even
   * if only the first n_blocks entries are used. */
  if (checked_mul_add (l->max_table_entries, 4, l->table_offset, &end)
      || end > l->file_size) {
    error_set ("vhd: %s: the BAT (%" PRIu32 " entries at offset %" PRIu64
               ") runs past end of file (size %" PRIu64 ")", disk->path,
               l->max_table_entries, l->table_offset, l->file_size);
    return -1;
  }
  table_bytes = l->n_blocks * 4;
  raw = malloc (table_bytes ? table_bytes : 1);
  l->bat = malloc (table_bytes ? table_bytes : 1);
  if (raw == NULL || l->bat == NULL) {
    error_set_errno (errno, "vhd: %s: allocating the BAT", disk->path);
    return -1;
  }
  if (table_bytes
      && disk_file_pread (disk, raw, table_bytes, l->table_offset) == -1)
    return -1;
  for (uint64_t b = 0; b < l->n_blocks; b++) {
    l->bat[b] = get_be32 (raw + 4 * b);
    if (l->bat[b] == BAT_UNUSED)
      continue;
    if (checked_mul_add (l->bat[b], SECTOR,
                         l->bitmap_size + vhd_block_valid_bytes (disk, l, b),
                         &end)
        || end > l->file_size) {
      error_set ("vhd: %s: BAT entry %" PRIu64 " points past end of file "
                 "(sector %" PRIu32 ", file size %" PRIu64 ")", disk->path, b,
                 l->bat[b], l->file_size);
      return -1;
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Parent                                                             */
/* ------------------------------------------------------------------ */

/* "file://localhost/dir/parent.vhd", "file:///dir/parent.vhd" or the
 * relative "file://./parent.vhd" (written by Xen's blktap) to a path. */
static char *
vhd_file_url_path (const char *url)
{
  const char *s = url;
  char *r, *o;

  if (strncmp (s, "file://", 7) != 0)
    return NULL;
  s += 7;
  if (strncmp (s, "localhost/", 10) == 0)
    s += 9;
  r = o = malloc (strlen (s) + 1);
  if (r == NULL)
    return NULL;
  for (; *s; s++) {
    static const char hex[] = "0123456789abcdef";
    const char *h1, *h2;
    if (*s == '%' && s[1] && s[2]
        && (h1 = strchr (hex, s[1] | 0x20)) != NULL
        && (h2 = strchr (hex, s[2] | 0x20)) != NULL) {
      char c = (char) ((h1 - hex) << 4 | (h2 - hex));
      if (c == '\0')
        break;
      *o++ = c;
      s += 2;
    }
    else
      *o++ = *s;
  }
  *o = '\0';
  return r;
}

/* Candidate names of the parent, best first.  The caller frees each. */
static size_t
vhd_parent_candidates (struct disk *disk, struct vhd_layer *l,
                       char *out[N_LOCATORS + 1])
{
  static const uint32_t order[] = { PLATFORM_W2RU, PLATFORM_W2KU,
                                    PLATFORM_MACX };
  size_t n = 0;

  for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
    for (int i = 0; i < N_LOCATORS; i++) {
      const struct vhd_locator *loc = &l->locators[i];
      const char *t = loc->text;
      char *c = NULL;

      if (loc->code != order[k] || t == NULL || t[0] == '\0')
        continue;
      if (loc->code == PLATFORM_MACX)
        c = vhd_file_url_path (t);
      else if (loc->code == PLATFORM_W2RU && !path_windows_is_absolute (t)
               && t[0] != '\\')         /* "\dir" is drive-relative */
        c = path_windows_to_posix (t);
      else if (t[0] == '/')
        c = strdup (t);
      else {
        /* An absolute Windows path cannot exist here: look for the file
         * by its name next to the child. */
        c = strdup (path_windows_base_name (t));
        log_debug ("vhd: %s: parent locator %d names \"%s\"; looking for "
                   "\"%s\" next to this file", disk->path, i, t,
                   c ? c : "");
      }
      if (c && c[0])
        out[n++] = c;
      else
        free (c);
    }
  }
  if (l->parent_name && path_windows_base_name (l->parent_name)[0]) {
    char *c = strdup (path_windows_base_name (l->parent_name));
    if (c)
      out[n++] = c;
  }
  return n;
}

/* Set disk->backing_path: the first candidate that exists, else the first
 * one (so that opening it fails naming the file that was looked for). */
static int
vhd_parent_choose (struct disk *disk, struct vhd_layer *l)
{
  char *cand[N_LOCATORS + 1];
  size_t n = vhd_parent_candidates (disk, l, cand), pick = 0;
  char uuid[37];

  if (n == 0) {
    vhd_format_uuid (l->parent_uuid, uuid);
    error_set ("vhd: %s: differencing disk does not name its parent (no "
               "usable W2ru, W2ku or MacX locator and no parent name; parent "
               "UUID %s)", disk->path, uuid);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    CLEANUP_FREE char *resolved = disk_resolve_path (disk, cand[i]);
    if (resolved && access (resolved, F_OK) == 0) {
      pick = i;
      break;
    }
    log_debug ("vhd: %s: parent candidate \"%s\" does not exist", disk->path,
               cand[i]);
  }
  error_clear ();
  disk->backing_path = cand[pick];
  for (size_t i = 0; i < n; i++)
    if (i != pick)
      free (cand[i]);
  disk->backing_format = strdup ("vhd");
  if (disk->backing_format == NULL) {
    error_set_errno (errno, "vhd: %s: strdup", disk->path);
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Open and close                                                     */
/* ------------------------------------------------------------------ */

static void
vhd_layer_free (struct vhd_layer *l)
{
  if (l == NULL)
    return;
  free (l->bat);
  free (l->parent_name);
  for (int i = 0; i < N_LOCATORS; i++)
    free (l->locators[i].text);
  for (unsigned i = 0; i < BITMAP_CACHE_ENTRIES; i++)
    free (l->bitmap_cache[i].bits);
  pthread_mutex_destroy (&l->lock);
  free (l);
}

static int
vhd_open (struct disk *disk)
{
  struct vhd_layer *l;
  int64_t file_size;
  int err;

  disk->priv = NULL;
  file_size = disk_file_size (disk);
  if (file_size == -1)
    return -1;
  l = calloc (1, sizeof *l);
  if (l == NULL) {
    error_set_errno (errno, "vhd: %s: calloc", disk->path);
    return -1;
  }
  err = pthread_mutex_init (&l->lock, NULL);
  if (err != 0) {
    free (l);
    error_set_errno (err, "vhd: %s: pthread_mutex_init", disk->path);
    return -1;
  }
  l->file_size = file_size;

  if (vhd_footer_read (disk, l) == -1)
    goto fail;
  l->differencing = l->footer.disk_type == DISK_TYPE_DIFFERENCING;
  vhd_size_decide (disk, l);
  if (disk->size > MAX_DISK_BYTES) {
    error_set ("vhd: %s: virtual size %" PRIu64 " is larger than the 2040 GiB "
               "a VHD can hold", disk->path, disk->size);
    goto fail;
  }

  if (l->footer.disk_type == DISK_TYPE_FIXED) {
    if (disk->size > l->data_end) {
      error_set ("vhd: %s: fixed disk of %" PRIu64 " bytes, but the file "
                 "holds only %" PRIu64 " bytes before its footer (truncated?)",
                 disk->path, disk->size, l->data_end);
      goto fail;
    }
  }
  else {
    if (vhd_header_read (disk, l) == -1 || vhd_bat_load (disk, l) == -1)
      goto fail;
    if (l->differencing && vhd_parent_choose (disk, l) == -1)
      goto fail;
  }
  log_debug ("vhd: %s: %s disk, size %" PRIu64 " (from %s), creator \"%.4s\""
             "%s%s", disk->path, vhd_disk_type_name (l->footer.disk_type),
             disk->size, l->size_from_chs ? "geometry" : "current_size",
             l->footer.creator_app, disk->backing_path ? ", parent " : "",
             disk->backing_path ? disk->backing_path : "");
  disk->priv = l;
  return 0;

fail:
  vhd_layer_free (l);
  return -1;
}

static void
vhd_close (struct disk *disk)
{
  vhd_layer_free (disk->priv);
  disk->priv = NULL;
}

/* ------------------------------------------------------------------ */
/* Block status and read                                              */
/* ------------------------------------------------------------------ */

static int
vhd_fixed_block_status (struct disk *disk, uint64_t offset, uint64_t length,
                        struct extent *out)
{
  return disk_file_extent (disk, offset, length, out);
}

/* The sector bitmap of allocated block b, from the cache.  Called with
 * l->lock held; the pointer is valid until the lock is released. */
static const uint8_t *
vhd_bitmap_get (struct disk *disk, struct vhd_layer *l, uint64_t b)
{
  struct bitmap_cache_entry *slot;
  uint8_t *bits;

  for (unsigned i = 0; i < BITMAP_CACHE_ENTRIES; i++)
    if (l->bitmap_cache[i].bits && l->bitmap_cache[i].block == b)
      return l->bitmap_cache[i].bits;
  bits = malloc (l->bitmap_size);
  if (bits == NULL) {
    error_set_errno (errno, "vhd: %s: allocating a sector bitmap", disk->path);
    return NULL;
  }
  /* inside the file: checked with the BAT at open */
  if (disk_file_pread (disk, bits, l->bitmap_size,
                       (uint64_t) l->bat[b] * SECTOR) == -1) {
    error_prefix ("vhd: sector bitmap of block %" PRIu64, b);
    free (bits);
    return NULL;
  }
  slot = &l->bitmap_cache[l->bitmap_cache_next];
  l->bitmap_cache_next = (l->bitmap_cache_next + 1) % BITMAP_CACHE_ENTRIES;
  free (slot->bits);
  slot->bits = bits;
  slot->block = b;
  return bits;
}

static bool
bitmap_test (const uint8_t *bits, uint64_t s)
{
  return bits[s / 8] >> (7 - s % 8) & 1;
}

/* Sectors from `first` (up to `limit`) whose bit equals that of `first`. */
static uint64_t
bitmap_run (const uint8_t *bits, uint64_t first, uint64_t limit, bool *set)
{
  uint64_t s = first;

  *set = bitmap_test (bits, first);
  while (s < limit) {
    if (s % 8 == 0 && limit - s >= 8 && bits[s / 8] == (*set ? 0xff : 0)) {
      s += 8;
      continue;
    }
    if (bitmap_test (bits, s) != *set)
      break;
    s++;
  }
  return s - first;
}

/* Type of the run starting at pos inside block b, and where it ends
 * (<= block_end). */
static int
vhd_block_run (struct disk *disk, struct vhd_layer *l, uint64_t b,
               uint64_t pos, uint64_t block_end, enum extent_type *type,
               uint64_t *run_end)
{
  uint64_t block_start = b * l->block_size;
  uint64_t first, limit, n;
  const uint8_t *bits;
  bool set;

  if (l->bat[b] == BAT_UNUSED) {
    /* A dynamic disk has no parent in the format: an unallocated block
     * is zeros, not "see below" (QEMU's map says present and zero). */
    *type = l->differencing ? EXTENT_UNALLOCATED : EXTENT_ZERO;
    *run_end = block_end;
    return 0;
  }
  if (!l->differencing) {
    /* The specification says a clear bit in a dynamic disk's bitmap is a
     * sector never written, which reads as zeros.  QEMU ignores the bitmap
     * of dynamic disks (and writes all ones), and Windows is reported to
     * return the block's bytes regardless too: the bytes a guest on
     * Hyper-V or QEMU read are the block's, so ferry keeps them rather
     * than turn possibly written data into zeros.  Every writer seen
     * zero-fills new blocks, so on real images the two readings agree. */
    *type = EXTENT_DATA;
    *run_end = block_end;
    return 0;
  }
  first = (pos - block_start) / SECTOR;
  limit = (block_end - block_start + SECTOR - 1) / SECTOR;
  pthread_mutex_lock (&l->lock);
  bits = vhd_bitmap_get (disk, l, b);
  if (bits == NULL) {
    pthread_mutex_unlock (&l->lock);
    return -1;
  }
  n = bitmap_run (bits, first, limit, &set);
  pthread_mutex_unlock (&l->lock);
  *type = set ? EXTENT_DATA : EXTENT_UNALLOCATED;
  *run_end = min_u64 (block_end, block_start + (first + n) * SECTOR);
  return 0;
}

static int
vhd_sparse_block_status (struct disk *disk, struct vhd_layer *l,
                         uint64_t offset, uint64_t length, struct extent *out)
{
  uint64_t end = offset + length, pos = offset;
  enum extent_type type = EXTENT_DATA;

  for (unsigned blocks = 0; pos < end && blocks < MERGE_BLOCKS; blocks++) {
    uint64_t b = pos / l->block_size;
    uint64_t block_end = min_u64 (end, (b + 1) * l->block_size);
    uint64_t run_end;
    enum extent_type t;

    if (vhd_block_run (disk, l, b, pos, block_end, &t, &run_end) == -1)
      return -1;
    if (pos == offset)
      type = t;
    else if (t != type)
      break;
    pos = run_end;
    if (run_end < block_end)
      break;
  }
  out->type = type;
  out->length = pos - offset;
  return 0;
}

static int
vhd_block_status (struct disk *disk, uint64_t offset, uint64_t length,
                  struct extent *out)
{
  struct vhd_layer *l = disk->priv;

  if (length == 0 || disk_check_range (disk, offset, length) == -1) {
    if (length == 0)
      error_set ("vhd: %s: block status of an empty range", disk->path);
    return -1;
  }
  out->offset = offset;
  if (l->footer.disk_type == DISK_TYPE_FIXED)
    return vhd_fixed_block_status (disk, offset, length, out);
  return vhd_sparse_block_status (disk, l, offset, length, out);
}

static int
vhd_pread (struct disk *disk, void *buf, size_t count, uint64_t offset)
{
  struct vhd_layer *l = disk->priv;
  uint8_t *p = buf;

  if (disk_check_range (disk, offset, count) == -1)
    return -1;
  if (l->footer.disk_type == DISK_TYPE_FIXED)
    return disk_file_pread (disk, buf, count, offset);
  while (count > 0) {
    uint64_t b = offset / l->block_size;
    uint64_t in_block = offset % l->block_size;
    size_t n = min_u64 (count, l->block_size - in_block);

    /* Only ranges reported as data reach here; a block read as a whole
     * may still cover sectors whose bits are clear (see above). */
    if (l->bat[b] == BAT_UNUSED)
      memset (p, 0, n);
    else if (disk_file_pread (disk, p, n,
                              (uint64_t) l->bat[b] * SECTOR + l->bitmap_size
                              + in_block) == -1)
      return -1;
    p += n;
    offset += n;
    count -= n;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Chain and info                                                     */
/* ------------------------------------------------------------------ */

static int
vhd_check_backing (struct disk *disk, struct disk *backing)
{
  struct vhd_layer *l = disk->priv, *pl;
  char want[37], have[37];

  if (!l->differencing)
    return 0;
  if (backing->driver != &disk_driver_vhd || backing->priv == NULL) {
    error_set ("vhd: %s: parent %s is not a VHD image", disk->path,
               backing->path);
    return -1;
  }
  pl = backing->priv;
  if (memcmp (pl->footer.uuid, l->parent_uuid, 16) != 0) {
    vhd_format_uuid (l->parent_uuid, want);
    vhd_format_uuid (pl->footer.uuid, have);
    error_set ("vhd: %s: parent UUID mismatch: this disk was made on parent "
               "%s, but %s has UUID %s (a different or rebuilt parent)",
               disk->path, want, backing->path, have);
    return -1;
  }
  if (backing->size != disk->size)
    log_debug ("vhd: %s: parent %s is %" PRIu64 " bytes, this disk %" PRIu64,
               disk->path, backing->path, backing->size, disk->size);
  return 0;
}

/* Four characters from the footer, trailing spaces and NULs removed,
 * non-printable bytes as '?'. */
static void
vhd_fourcc (const char in[4], char out[5])
{
  int n = 4;

  for (int i = 0; i < 4; i++)
    out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
  while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\0'))
    n--;
  out[n] = '\0';
}

static int
vhd_info (struct disk *disk, json_t *obj)
{
  struct vhd_layer *l = disk->priv;
  const struct vhd_footer *f = &l->footer;
  char app[5], host[5], version[16], uuid[37], platform[5];
  json_t *geometry, *locators;

  vhd_fourcc (f->creator_app, app);
  vhd_fourcc (f->creator_host, host);
  snprintf (version, sizeof version, "%" PRIu32 ".%" PRIu32,
            f->creator_version >> 16, f->creator_version & 0xffff);
  vhd_format_uuid (f->uuid, uuid);
  if (json_set_string (obj, "disk-type",
                       vhd_disk_type_name (f->disk_type)) == -1
      || json_set_string (obj, "creator-application", app) == -1
      || json_set_string (obj, "creator-version", version) == -1
      || json_set_string (obj, "creator-host-os",
                          memcmp (f->creator_host, "Wi2k", 4) == 0 ? "Windows"
                          : memcmp (f->creator_host, "Mac ", 4) == 0
                          ? "Macintosh" : host) == -1
      || json_set_string (obj, "uuid", uuid) == -1
      || json_set_u64 (obj, "current-size", f->current_size) == -1
      || json_set_u64 (obj, "original-size", f->original_size) == -1
      || json_set_string (obj, "size-from", l->size_from_chs ? "geometry"
                          : "current-size") == -1
      || json_set_bool (obj, "saved-state", f->saved_state != 0) == -1)
    return -1;
  geometry = json_object ();
  if (json_set_new (obj, "geometry", geometry) == -1
      || json_set_u64 (geometry, "cylinders", f->cylinders) == -1
      || json_set_u64 (geometry, "heads", f->heads) == -1
      || json_set_u64 (geometry, "sectors", f->sectors_per_track) == -1)
    return -1;
  if (f->disk_type == DISK_TYPE_FIXED)
    return 0;
  if (json_set_u64 (obj, "block-size", l->block_size) == -1)
    return -1;
  if (!l->differencing)
    return 0;

  vhd_format_uuid (l->parent_uuid, uuid);
  if (json_set_string (obj, "parent-uuid", uuid) == -1
      || json_set_string (obj, "parent-name", l->parent_name) == -1)
    return -1;
  locators = json_array ();
  if (json_set_new (obj, "parent-locators", locators) == -1)
    return -1;
  for (int i = 0; i < N_LOCATORS; i++) {
    const struct vhd_locator *loc = &l->locators[i];
    json_t *e;

    if (loc->code == PLATFORM_NONE)
      continue;
    e = json_object ();
    if (e == NULL || json_array_append_new (locators, e) == -1) {
      error_set ("json: out of memory");
      return -1;
    }
    if (json_set_string (e, "platform",
                         vhd_platform_name (loc->code, platform)) == -1
        || json_set_string (e, "path", loc->text) == -1)
      return -1;
  }
  return 0;
}

const struct disk_driver disk_driver_vhd = {
  .name = "vhd",
  .probe = vhd_probe,
  .probe_tail = vhd_probe_tail,
  .open = vhd_open,
  .close = vhd_close,
  .pread = vhd_pread,
  .block_status = vhd_block_status,
  .info = vhd_info,
  .check_backing = vhd_check_backing,
};
