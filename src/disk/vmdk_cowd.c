/* vmdk_cowd.c: ESX vmfsSparse ("COWD") extents, read-only.
 *
 * Written from VMware's "Virtual Disk Format 1.1" and the libyal VMDK
 * format notes.  The redo log of a snapshot on VMFS5 ("x-000001-delta.vmdk",
 * named by a descriptor with createType="vmfsSparse"):
 *
 *    sector 0..3   header (2048 bytes, little-endian):
 *                    0 magic "COWD"       4 version (1)     8 flags
 *                   12 numSectors        16 grainSize (sectors)
 *                   20 gdOffset (sector) 24 numGDEntries   28 freeSector
 *                   32 root: geometry / child: parentFileName[1024],
 *                      parentGeneration (1056)
 *                 1060 generation  1064 name[60]  1124 description[512]
 *                 1636 savedGeneration  1648 uncleanShutdown
 *    gdOffset      grain directory: numGDEntries u32 GT sector numbers
 *    ...           grain tables: 4096 u32 grain sector numbers each
 *    ...           grains
 *
 * A GD or GT entry of 0 is "not here" (the guest reads the parent); there
 * is no zeroed-grain value, unlike hosted sparse files.  ESX writes
 * one-sector grains, so a GT covers 2 MiB.  The header's parent fields are
 * unused by ESX (the descriptor's parentFileNameHint names the parent) and
 * ignored here; so are the dirty flags, as for hosted sparse files.
 *
 * This file only parses and checks; vmdk.c walks the tables.  It never
 * writes.
 */
#include <inttypes.h>
#include <string.h>

#include "disk/vmdk_extent.h"
#include "util/checked.h"
#include "util/error.h"
#include "util/io.h"
#include "util/log.h"

#define COWD_HEADER_SIZE 2048u
#define COWD_VERSION 1u
#define COWD_GTES_PER_GT 4096u

/* Flags, from VMware's cow_ext.h. */
#define COWD_FLAG_ROOT 0x01u
#define COWD_FLAG_CHECK_CAPABLE 0x02u
#define COWD_FLAG_INCONSISTENT 0x04u
#define COWD_FLAGS_KNOWN \
  (COWD_FLAG_ROOT | COWD_FLAG_CHECK_CAPABLE | COWD_FLAG_INCONSISTENT)

struct cowd_header {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t num_sectors;
  uint32_t grain_size;
  uint32_t gd_offset;
  uint32_t num_gd_entries;
  uint32_t free_sector;
  uint32_t unclean_shutdown;
};

static void
cowd_header_decode (const uint8_t *b, struct cowd_header *h)
{
  h->magic = get_le32 (b + 0);
  h->version = get_le32 (b + 4);
  h->flags = get_le32 (b + 8);
  h->num_sectors = get_le32 (b + 12);
  h->grain_size = get_le32 (b + 16);
  h->gd_offset = get_le32 (b + 20);
  h->num_gd_entries = get_le32 (b + 24);
  h->free_sector = get_le32 (b + 28);
  h->unclean_shutdown = get_le32 (b + 1648);
}

static int
cowd_header_check (const struct vmdk_extent *ext, const struct cowd_header *h)
{
  const char *path = ext->path;

  if (h->magic != VMDK_COWD_MAGIC) {
    error_set ("vmdk: %s: not a vmfsSparse extent (bad magic 0x%08" PRIx32
               ")", path, h->magic);
    return -1;
  }
  if (h->version != COWD_VERSION) {
    error_set ("vmdk: %s: unsupported vmfsSparse (COWD) version %" PRIu32
               " (expected %u)", path, h->version, COWD_VERSION);
    return -1;
  }
  if (h->flags & ~COWD_FLAGS_KNOWN) {
    error_set ("vmdk: %s: unknown vmfsSparse (COWD) flags 0x%08" PRIx32,
               path, h->flags & ~COWD_FLAGS_KNOWN);
    return -1;
  }
  if (h->num_sectors == 0) {
    error_set ("vmdk: %s: vmfsSparse (COWD) header says the disk has no "
               "sectors", path);
    return -1;
  }
  if (h->grain_size == 0 || h->grain_size > VMDK_MAX_GRAIN_SECTORS) {
    error_set ("vmdk: %s: vmfsSparse (COWD) grain size of %" PRIu32
               " sectors is out of range (1 to %u)", path, h->grain_size,
               VMDK_MAX_GRAIN_SECTORS);
    return -1;
  }
  if ((uint64_t) h->gd_offset * VMDK_SECTOR < COWD_HEADER_SIZE) {
    error_set ("vmdk: %s: vmfsSparse (COWD) grain directory at sector %"
               PRIu32 " overlaps the header", path, h->gd_offset);
    return -1;
  }
  return 0;
}

int
vmdk_cowd_open (struct vmdk_extent *ext)
{
  uint8_t buf[COWD_HEADER_SIZE];
  struct cowd_header h;
  uint64_t gd_bytes;

  if (ext->file_size < COWD_HEADER_SIZE) {
    error_set ("vmdk: %s: file is too short (%" PRIu64 " bytes) for a "
               "vmfsSparse (COWD) header of %u bytes", ext->path,
               ext->file_size, COWD_HEADER_SIZE);
    return -1;
  }
  if (vmdk_extent_pread (ext, buf, sizeof buf, 0) == -1)
    return -1;
  cowd_header_decode (buf, &h);
  if (cowd_header_check (ext, &h) == -1)
    return -1;
  if ((h.flags & COWD_FLAG_INCONSISTENT) || h.unclean_shutdown)
    log_debug ("vmdk: %s: vmfsSparse delta was not closed cleanly; reading "
               "it as it is", ext->path);

  ext->version = h.version;
  ext->flags = h.flags;
  ext->capacity = (uint64_t) h.num_sectors * VMDK_SECTOR;
  ext->grain_bytes = (uint64_t) h.grain_size * VMDK_SECTOR;
  ext->gtes_per_gt = COWD_GTES_PER_GT;
  ext->gte_size = 4;
  ext->gt_bytes = COWD_GTES_PER_GT * 4;
  ext->cowd_first_data = COWD_HEADER_SIZE;
  ext->gd_entries = vmdk_gts_needed (ext);   /* <= 2^32 / 4096 */
  if (h.num_gd_entries < ext->gd_entries) {
    error_set ("vmdk: %s: vmfsSparse (COWD) grain directory of %" PRIu32
               " entries cannot cover %" PRIu32 " sectors (needs %" PRIu64
               ")", ext->path, h.num_gd_entries, h.num_sectors,
               ext->gd_entries);
    return -1;
  }
  gd_bytes = ext->gd_entries * 4;
  if (!vmdk_sectors_fit (h.gd_offset, gd_bytes, ext->file_size)) {
    error_set ("vmdk: %s: grain directory (sector %" PRIu32 ", %" PRIu64
               " bytes) points past end of file (size %" PRIu64 ")",
               ext->path, h.gd_offset, gd_bytes, ext->file_size);
    return -1;
  }
  return vmdk_load_gd32 (ext, (uint64_t) h.gd_offset * VMDK_SECTOR,
                         COWD_HEADER_SIZE);
}

int
vmdk_cowd_decode (const struct vmdk_extent *ext, uint64_t grain,
                  uint64_t gte, struct vmdk_grain *out)
{
  out->offset = gte * VMDK_SECTOR;     /* gte < 2^32: no overflow */
  if (gte == 0) {
    out->type = EXTENT_UNALLOCATED;
    return 0;
  }
  out->type = EXTENT_DATA;
  if (out->offset < ext->cowd_first_data) {
    error_set ("vmdk: %s: grain %" PRIu64 " points into the header (sector %"
               PRIu64 ")", ext->path, grain, gte);
    return -1;
  }
  if (!vmdk_range_fits (out->offset, vmdk_grain_valid_bytes (ext, grain),
                        ext->file_size)) {
    error_set ("vmdk: %s: grain %" PRIu64 " points past end of file (offset %"
               PRIu64 ", size %" PRIu64 ")", ext->path, grain, out->offset,
               ext->file_size);
    return -1;
  }
  return 0;
}
