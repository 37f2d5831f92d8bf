/* vmdk_sesparse.c: ESX seSparse extents, read-only.
 *
 * The snapshot delta format of VMFS6 (and of disks over 2 TB on VMFS5),
 * "x-000001-sesparse.vmdk", named by a descriptor with createType="seSparse".
 * VMware has not published it; this follows the libyal VMDK notes and the
 * format facts in QEMU's documentation.  All fields are little-endian u64,
 * offsets and sizes in 512-byte sectors:
 *
 *    const header (sector 0)       volatile header (volatile_header_offset)
 *      0 magic 0x00000000cafebabe    0 magic 0x00000000cafecafe
 *      8 version 0x0000000200000001  8 free GT number
 *     16 capacity (sectors)         16 next transaction sequence number
 *     24 grain size (8 = 4 KiB)     24 replay journal (non-zero: dirty)
 *     32 grain table size (64 sectors = 4096 entries)
 *     40 flags (0)   48..72 reserved (0)
 *     80 volatile header offset, size     96 journal header offset, size
 *    112 journal offset, size            128 grain directory offset, size
 *    144 grain tables offset, size       160 free bitmap offset, size
 *    176 backmap offset, size            192 grains offset, size
 *
 * Grain directory entry: 0 = no GT; 0x10000000_xxxxxxxx = GT number x, at
 * grain_tables_offset + x * grain table size.  Grain table entry, by its
 * top nibble:
 *    0x0  unallocated (the whole entry is 0): read the parent
 *    0x1  unmapped (SCSI UNMAP): reads as zeros, hides the parent
 *    0x2  zero: reads as zeros, hides the parent
 *    0x3  allocated: grain number g, stored swizzled,
 *         g = bits 48..59 | bits 0..47 << 12;
 *         the grain is at grains_offset + g * grain size
 * anything else is corruption.
 *
 * Only what the reader needs is checked and used: the journal, free bitmap
 * and backmap are metadata of the writer.  A volatile header asking for a
 * journal replay means the metadata may be stale: refused, never guessed.
 * This file only parses and checks; vmdk.c walks the tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "disk/vmdk_extent.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"

#define SE_VOLATILE_MAGIC UINT64_C (0x00000000cafecafe)
#define SE_VERSION UINT64_C (0x0000000200000001)
#define SE_GRAIN_SECTORS 8u
#define SE_GT_SECTORS 64u
#define SE_GTES_PER_GT (SE_GT_SECTORS * VMDK_SECTOR / 8)   /* 4096 */
/* The format stops just short of 64 TiB. */
#define SE_MAX_CAPACITY_SECTORS (UINT64_C (1) << 37)

#define SE_GDE_ALLOCATED UINT64_C (0x10000000)
#define SE_GTE_TYPE(e) ((e) >> 60)
#define SE_GTE_UNALLOCATED 0x0u
#define SE_GTE_UNMAPPED 0x1u
#define SE_GTE_ZERO 0x2u
#define SE_GTE_ALLOCATED 0x3u

struct se_const_header {
  uint64_t magic, version, capacity, grain_size, grain_table_size, flags;
  uint64_t reserved[4];
  uint64_t volatile_offset, volatile_size;
  uint64_t journal_header_offset, journal_header_size;
  uint64_t journal_offset, journal_size;
  uint64_t gd_offset, gd_size;
  uint64_t gt_offset, gt_size;
  uint64_t free_bitmap_offset, free_bitmap_size;
  uint64_t backmap_offset, backmap_size;
  uint64_t grains_offset, grains_size;
};

bool
vmdk_sesparse_probe (const uint8_t *buf, size_t len)
{
  return len >= 8 && get_le64 (buf) == VMDK_SESPARSE_MAGIC;
}

static void
se_const_header_decode (const uint8_t *b, struct se_const_header *h)
{
  uint64_t *fields[] = {
    &h->magic, &h->version, &h->capacity, &h->grain_size,
    &h->grain_table_size, &h->flags,
    &h->reserved[0], &h->reserved[1], &h->reserved[2], &h->reserved[3],
    &h->volatile_offset, &h->volatile_size,
    &h->journal_header_offset, &h->journal_header_size,
    &h->journal_offset, &h->journal_size,
    &h->gd_offset, &h->gd_size, &h->gt_offset, &h->gt_size,
    &h->free_bitmap_offset, &h->free_bitmap_size,
    &h->backmap_offset, &h->backmap_size,
    &h->grains_offset, &h->grains_size,
  };

  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    *fields[i] = get_le64 (b + 8 * i);
}

static int
se_const_header_check (const struct vmdk_extent *ext,
                       const struct se_const_header *h)
{
  const char *path = ext->path;

  if (h->magic != VMDK_SESPARSE_MAGIC) {
    error_set ("vmdk: %s: not an seSparse extent (bad magic 0x%016" PRIx64
               ")", path, h->magic);
    return -1;
  }
  if (h->version != SE_VERSION) {
    error_set ("vmdk: %s: unsupported seSparse version %" PRIu64 ".%" PRIu64
               " (0x%016" PRIx64 "; ferry reads 2.1)", path,
               h->version >> 32, h->version & 0xffffffff, h->version);
    return -1;
  }
  if (h->capacity == 0 || h->capacity > SE_MAX_CAPACITY_SECTORS) {
    error_set ("vmdk: %s: seSparse capacity of %" PRIu64 " sectors is out "
               "of range (1 to %" PRIu64 ")", path, h->capacity,
               SE_MAX_CAPACITY_SECTORS);
    return -1;
  }
  if (h->grain_size != SE_GRAIN_SECTORS) {
    error_set ("vmdk: %s: unsupported seSparse grain size of %" PRIu64
               " sectors (ESXi writes %u)", path, h->grain_size,
               SE_GRAIN_SECTORS);
    return -1;
  }
  if (h->grain_table_size != SE_GT_SECTORS) {
    error_set ("vmdk: %s: unsupported seSparse grain table size of %" PRIu64
               " sectors (ESXi writes %u)", path, h->grain_table_size,
               SE_GT_SECTORS);
    return -1;
  }
  if (h->flags != 0) {
    error_set ("vmdk: %s: unsupported seSparse flags 0x%016" PRIx64, path,
               h->flags);
    return -1;
  }
  for (unsigned i = 0; i < 4; i++) {
    if (h->reserved[i] != 0) {
      error_set ("vmdk: %s: seSparse reserved header field %u is not zero "
                 "(0x%016" PRIx64 ")", path, i + 1, h->reserved[i]);
      return -1;
    }
  }
  /* Every area we read must lie after the const header. */
  if (h->volatile_offset == 0 || h->gd_offset == 0 || h->gt_offset == 0
      || h->grains_offset == 0) {
    error_set ("vmdk: %s: seSparse header places the volatile header, grain "
               "directory, grain tables or grains at sector 0", path);
    return -1;
  }
  return 0;
}

static int
se_volatile_header_check (const struct vmdk_extent *ext,
                          const struct se_const_header *h)
{
  uint8_t buf[VMDK_SECTOR];
  uint64_t magic, replay;

  if (!vmdk_sectors_fit (h->volatile_offset, VMDK_SECTOR, ext->file_size)) {
    error_set ("vmdk: %s: seSparse volatile header (sector %" PRIu64
               ") points past end of file (size %" PRIu64 ")", ext->path,
               h->volatile_offset, ext->file_size);
    return -1;
  }
  if (vmdk_extent_pread (ext, buf, sizeof buf,
                         h->volatile_offset * VMDK_SECTOR) == -1)
    return -1;
  magic = get_le64 (buf);
  replay = get_le64 (buf + 24);
  if (magic != SE_VOLATILE_MAGIC) {
    error_set ("vmdk: %s: seSparse volatile header at sector %" PRIu64
               " has a bad magic 0x%016" PRIx64, ext->path,
               h->volatile_offset, magic);
    return -1;
  }
  if (replay != 0) {
    error_set ("vmdk: %s: seSparse journal needs replay: power the VM on and "
               "off in ESXi, or consolidate its snapshots, then copy the "
               "disk again", ext->path);
    return -1;
  }
  return 0;
}

static int
se_load_gd (struct vmdk_extent *ext, const struct se_const_header *h)
{
  uint64_t gd_bytes = ext->gd_entries * 8;    /* <= 32 MiB */
  uint64_t gt_base;
  CLEANUP_FREE uint8_t *raw = NULL;

  if (h->gt_offset > UINT64_MAX / VMDK_SECTOR) {
    error_set ("vmdk: %s: seSparse grain tables offset %" PRIu64 " is too "
               "large", ext->path, h->gt_offset);
    return -1;
  }
  gt_base = h->gt_offset * VMDK_SECTOR;
  raw = malloc (gd_bytes);
  ext->gt_offsets = calloc (ext->gd_entries, sizeof *ext->gt_offsets);
  if (raw == NULL || ext->gt_offsets == NULL) {
    error_set_errno (errno, "vmdk: %s: allocating the grain directory",
                     ext->path);
    return -1;
  }
  if (vmdk_extent_pread (ext, raw, gd_bytes,
                         h->gd_offset * VMDK_SECTOR) == -1)
    return -1;
  for (uint64_t i = 0; i < ext->gd_entries; i++) {
    uint64_t e = get_le64 (raw + 8 * i), at;

    if (e == 0)
      continue;
    if (e >> 32 != SE_GDE_ALLOCATED) {
      error_set ("vmdk: %s: seSparse grain directory entry %" PRIu64
                 " is corrupt (0x%016" PRIx64 ")", ext->path, i, e);
      return -1;
    }
    if (checked_mul_add (e & 0xffffffff, ext->gt_bytes, gt_base, &at)
        || !vmdk_range_fits (at, ext->gt_bytes, ext->file_size)) {
      error_set ("vmdk: %s: grain table %" PRIu64 " (number %" PRIu64
                 ") points past end of file (size %" PRIu64 ")", ext->path,
                 i, e & 0xffffffff, ext->file_size);
      return -1;
    }
    ext->gt_offsets[i] = at;
  }
  return 0;
}

int
vmdk_sesparse_open (struct vmdk_extent *ext)
{
  uint8_t buf[VMDK_SECTOR];
  struct se_const_header h;
  uint64_t gd_entries_on_disk;

  if (ext->file_size < VMDK_SECTOR) {
    error_set ("vmdk: %s: file is too short (%" PRIu64 " bytes) for an "
               "seSparse header", ext->path, ext->file_size);
    return -1;
  }
  if (vmdk_extent_pread (ext, buf, sizeof buf, 0) == -1)
    return -1;
  se_const_header_decode (buf, &h);
  if (se_const_header_check (ext, &h) == -1
      || se_volatile_header_check (ext, &h) == -1)
    return -1;

  ext->version = (uint32_t) (h.version >> 32);
  ext->flags = 0;
  ext->capacity = h.capacity * VMDK_SECTOR;      /* <= 2^46 */
  ext->grain_bytes = SE_GRAIN_SECTORS * VMDK_SECTOR;
  ext->gtes_per_gt = SE_GTES_PER_GT;
  ext->gte_size = 8;
  ext->gt_bytes = SE_GT_SECTORS * VMDK_SECTOR;
  ext->gd_entries = vmdk_gts_needed (ext);       /* <= 2^22 */
  if (h.gd_size > UINT64_MAX / (VMDK_SECTOR / 8))
    gd_entries_on_disk = UINT64_MAX;
  else
    gd_entries_on_disk = h.gd_size * (VMDK_SECTOR / 8);
  if (gd_entries_on_disk < ext->gd_entries) {
    error_set ("vmdk: %s: seSparse grain directory of %" PRIu64 " sectors "
               "cannot cover %" PRIu64 " sectors (needs %" PRIu64
               " entries)", ext->path, h.gd_size, h.capacity,
               ext->gd_entries);
    return -1;
  }
  if (!vmdk_sectors_fit (h.gd_offset, ext->gd_entries * 8, ext->file_size)) {
    error_set ("vmdk: %s: grain directory (sector %" PRIu64 ", %" PRIu64
               " bytes) points past end of file (size %" PRIu64 ")",
               ext->path, h.gd_offset, ext->gd_entries * 8, ext->file_size);
    return -1;
  }
  if (h.grains_offset > UINT64_MAX / VMDK_SECTOR) {
    error_set ("vmdk: %s: seSparse grains offset %" PRIu64 " is too large",
               ext->path, h.grains_offset);
    return -1;
  }
  ext->se_grains_offset = h.grains_offset * VMDK_SECTOR;
  return se_load_gd (ext, &h);
}

int
vmdk_sesparse_decode (const struct vmdk_extent *ext, uint64_t grain,
                      uint64_t gte, struct vmdk_grain *out)
{
  uint64_t number;

  out->offset = 0;
  switch (SE_GTE_TYPE (gte)) {
  case SE_GTE_UNALLOCATED:
    if (gte != 0)
      break;
    out->type = EXTENT_UNALLOCATED;
    return 0;
  case SE_GTE_UNMAPPED:
  case SE_GTE_ZERO:
    out->type = EXTENT_ZERO;
    return 0;
  case SE_GTE_ALLOCATED:
    number = ((gte >> 48) & 0xfff) | (gte & UINT64_C (0xffffffffffff)) << 12;
    out->type = EXTENT_DATA;
    if (checked_mul_add (number, ext->grain_bytes, ext->se_grains_offset,
                         &out->offset)
        || !vmdk_range_fits (out->offset, vmdk_grain_valid_bytes (ext, grain),
                             ext->file_size)) {
      error_set ("vmdk: %s: grain %" PRIu64 " (stored as grain number %"
                 PRIu64 ") points past end of file (size %" PRIu64 ")",
                 ext->path, grain, number, ext->file_size);
      return -1;
    }
    return 0;
  default:
    break;
  }
  error_set ("vmdk: %s: seSparse grain table entry for grain %" PRIu64
             " is corrupt (0x%016" PRIx64 ")", ext->path, grain, gte);
  return -1;
}
