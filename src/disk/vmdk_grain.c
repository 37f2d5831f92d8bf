/* vmdk_grain.c: the grain-table walk of the VMDK driver, shared by every
 * grain-table extent kind (hosted sparse, vmfsSparse "COWD", seSparse):
 * the GT cache, block status and reads, and the compressed grains of
 * streamOptimized files (a grain marker, then a deflate stream inflated
 * whole with libdeflate into the layer's one-grain cache).  See vmdk.c
 * for the layout and vmdk_extent.h for the open extent.
 *
 * Never writes.  Must never use a GTE before its kind decoded it
 * (grain_decode), which checks that a grain it points to lies inside the
 * file; the GT cache and the grain cache are only touched under
 * vmdk_layer.lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "disk/disk.h"
#include "disk/vmdk_extent.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"

#define GRAIN_MARKER_SIZE 12u
/* GTEs looked at per step when merging block status or reads. */
#define GTE_BATCH 256

/* Decode one GTE of grain `grain` by the extent's kind; a DATA grain is
 * checked to lie inside the file. */
static int
grain_decode (const struct vmdk_extent *ext, uint64_t grain, uint64_t gte,
              struct vmdk_grain *out)
{
  uint64_t need;

  switch (ext->type) {
  case VMDK_EXTENT_VMFSSPARSE:
    return vmdk_cowd_decode (ext, grain, gte, out);
  case VMDK_EXTENT_SESPARSE:
    return vmdk_sesparse_decode (ext, grain, gte, out);
  default:
    break;
  }
  /* Hosted sparse: 0 = unallocated, 1 = zeroed grain, else a sector. */
  out->offset = gte * VMDK_SECTOR;
  if (gte == 0 || gte == 1) {
    out->type = gte == 0 ? EXTENT_UNALLOCATED : EXTENT_ZERO;
    return 0;
  }
  out->type = EXTENT_DATA;
  need = ext->compressed ? GRAIN_MARKER_SIZE
    : vmdk_grain_valid_bytes (ext, grain);
  if (!vmdk_sectors_fit (gte, need, ext->file_size)) {
    error_set ("vmdk: %s: grain %" PRIu64 " points past end of file (offset %"
               PRIu64 ", size %" PRIu64 ")", ext->path, grain,
               gte * VMDK_SECTOR, ext->file_size);
    return -1;
  }
  return 0;
}

/* Copy up to n raw GTEs starting at grain `grain` (all within one GT) into
 * out.  Returns the number copied, or -1.  Caller holds no lock. */
static int64_t
grain_get_gtes (struct vmdk_layer *l, struct vmdk_extent *ext,
                uint64_t grain, uint64_t n, uint64_t *out)
{
  uint64_t gt = grain / ext->gtes_per_gt;
  uint64_t first = grain % ext->gtes_per_gt;
  struct vmdk_gt_cache_entry *slot = NULL;
  CLEANUP_FREE uint8_t *raw = NULL;
  uint64_t *gtes = NULL;
  int64_t r = -1;

  n = min_u64 (n, ext->gtes_per_gt - first);
  if (gt >= ext->gd_entries) {  /* cannot happen: extents <= capacity */
    error_set ("vmdk: %s: grain %" PRIu64 " is past the grain directory",
               ext->path, grain);
    return -1;
  }
  if (ext->gt_offsets[gt] == 0) {
    memset (out, 0, n * sizeof *out);
    return n;
  }

  pthread_mutex_lock (&l->lock);
  for (unsigned i = 0; i < VMDK_GT_CACHE_ENTRIES; i++) {
    if (ext->gt_cache[i].gtes && ext->gt_cache[i].index == gt) {
      slot = &ext->gt_cache[i];
      break;
    }
  }
  if (slot == NULL) {
    raw = malloc (ext->gt_bytes);
    gtes = malloc ((size_t) ext->gtes_per_gt * sizeof *gtes);
    if (raw == NULL || gtes == NULL) {
      error_set_errno (errno, "vmdk: %s: allocating a grain table",
                       ext->path);
      goto out;
    }
    if (vmdk_extent_pread (ext, raw, ext->gt_bytes,
                           ext->gt_offsets[gt]) == -1) {
      error_prefix ("vmdk: grain table %" PRIu64, gt);
      goto out;
    }
    for (uint32_t i = 0; i < ext->gtes_per_gt; i++)
      gtes[i] = ext->gte_size == 8 ? get_le64 (raw + 8 * (uint64_t) i)
                                   : get_le32 (raw + 4 * (uint64_t) i);
    slot = &ext->gt_cache[ext->gt_cache_next];
    ext->gt_cache_next = (ext->gt_cache_next + 1) % VMDK_GT_CACHE_ENTRIES;
    free (slot->gtes);
    slot->gtes = steal_pointer (&gtes);
    slot->index = gt;
  }
  memcpy (out, slot->gtes + first, n * sizeof *out);
  r = n;
out:
  pthread_mutex_unlock (&l->lock);
  free (gtes);
  return r;
}

int
vmdk_grain_block_status (struct vmdk_layer *l, struct vmdk_extent *ext,
                         uint64_t rel, uint64_t length, struct extent *out)
{
  uint64_t gtes[GTE_BATCH];
  uint64_t end = rel + length;          /* <= ext->length */
  uint64_t grain = rel / ext->grain_bytes;
  uint64_t last_grain = (end - 1) / ext->grain_bytes;
  uint64_t pos = grain;
  bool first = true;
  enum extent_type type = EXTENT_DATA;

  /* Merge runs of the same type, up to a few batches. */
  while (pos <= last_grain && pos - grain < 16 * GTE_BATCH) {
    int64_t n = grain_get_gtes (l, ext, pos,
                                min_u64 (GTE_BATCH, last_grain - pos + 1),
                                gtes);
    int64_t i;

    if (n == -1)
      return -1;
    for (i = 0; i < n; i++) {
      struct vmdk_grain g;

      if (grain_decode (ext, pos + i, gtes[i], &g) == -1)
        return -1;
      if (first) {
        type = g.type;
        first = false;
      }
      else if (g.type != type)
        break;
    }
    pos += i;
    if (i < n)
      break;
  }
  out->type = type;
  out->length = min_u64 (end, pos * ext->grain_bytes) - rel;
  return 0;
}

static int
sparse_inflate_grain (struct vmdk_extent *ext, uint64_t grain, uint64_t at,
                      uint8_t *dst)
{
  uint8_t marker[GRAIN_MARKER_SIZE];
  uint64_t lba, expect_lba, max_size;
  uint64_t valid = vmdk_grain_valid_bytes (ext, grain);
  uint32_t size;
  CLEANUP_FREE uint8_t *src = NULL;
  struct libdeflate_decompressor *d;
  enum libdeflate_result r;
  size_t produced = 0;
  bool raw_deflate;

  if (vmdk_extent_pread (ext, marker, sizeof marker, at) == -1)
    return -1;
  lba = get_le64 (marker);
  size = get_le32 (marker + 8);
  expect_lba = grain * (ext->grain_bytes / VMDK_SECTOR);
  if (lba != expect_lba) {
    error_set ("vmdk: %s: grain %" PRIu64 " at offset %" PRIu64 " is marked "
               "for sector %" PRIu64 ", expected %" PRIu64, ext->path, grain,
               at, lba, expect_lba);
    return -1;
  }
  /* Deflate never grows data by more than a few bytes per block. */
  max_size = 2 * ext->grain_bytes + 1024;
  if (size == 0 || size > max_size) {
    error_set ("vmdk: %s: compressed grain %" PRIu64 " at offset %" PRIu64
               " has a bad size %" PRIu32 " (at most %" PRIu64 ")",
               ext->path, grain, at, size, max_size);
    return -1;
  }
  if (!vmdk_range_fits (at, GRAIN_MARKER_SIZE + (uint64_t) size,
                        ext->file_size)) {
    error_set ("vmdk: %s: compressed grain %" PRIu64 " at offset %" PRIu64
               " (%" PRIu32 " bytes) runs past end of file (size %" PRIu64
               ")", ext->path, grain, at, size, ext->file_size);
    return -1;
  }
  src = malloc (size);
  if (src == NULL) {
    error_set_errno (errno, "vmdk: %s: allocating", ext->path);
    return -1;
  }
  if (vmdk_extent_pread (ext, src, size, at + GRAIN_MARKER_SIZE) == -1)
    return -1;

  /* VMware writes a zlib stream; accept bare deflate when the zlib
   * header is absent. */
  raw_deflate = !(size >= 2 && (src[0] & 0x0f) == 8
                  && ((src[0] << 8) | src[1]) % 31 == 0);
  d = libdeflate_alloc_decompressor ();
  if (d == NULL) {
    error_set_errno (ENOMEM, "vmdk: %s: allocating a decompressor",
                     ext->path);
    return -1;
  }
  if (raw_deflate)
    r = libdeflate_deflate_decompress (d, src, size, dst, ext->grain_bytes,
                                       &produced);
  else
    r = libdeflate_zlib_decompress (d, src, size, dst, ext->grain_bytes,
                                    &produced);
  libdeflate_free_decompressor (d);
  if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
    error_set ("vmdk: %s: compressed grain %" PRIu64 " at offset %" PRIu64
               " inflates to more than the grain size (%" PRIu64 " bytes)",
               ext->path, grain, at, ext->grain_bytes);
    return -1;
  }
  if (r != LIBDEFLATE_SUCCESS) {
    error_set ("vmdk: %s: compressed grain %" PRIu64 " at offset %" PRIu64
               " is corrupt (bad %s data or checksum)", ext->path, grain, at,
               raw_deflate ? "deflate" : "zlib");
    return -1;
  }
  /* Every grain inflates to a whole grain, except that the last one of a
   * disk whose size is not a multiple of the grain may stop at the end. */
  if (produced < valid || (valid == ext->grain_bytes
                           && produced != ext->grain_bytes)) {
    error_set ("vmdk: %s: compressed grain %" PRIu64 " at offset %" PRIu64
               " inflates to %zu bytes, expected %" PRIu64,
               ext->path, grain, at, produced, valid);
    return -1;
  }
  memset (dst + produced, 0, ext->grain_bytes - produced);
  return 0;
}

/* Copy [in_grain, in_grain + n) of compressed grain `grain` into buf,
 * through the layer's one-grain cache. */
static int
sparse_read_compressed (struct vmdk_layer *l, struct vmdk_extent *ext,
                        uint64_t grain, uint64_t at, uint64_t in_grain,
                        size_t n, uint8_t *buf)
{
  CLEANUP_FREE uint8_t *data = NULL;

  pthread_mutex_lock (&l->lock);
  if (ext->grain_cache && ext->grain_cache_index == grain) {
    memcpy (buf, ext->grain_cache + in_grain, n);
    pthread_mutex_unlock (&l->lock);
    return 0;
  }
  pthread_mutex_unlock (&l->lock);

  data = malloc (ext->grain_bytes);
  if (data == NULL) {
    error_set_errno (errno, "vmdk: %s: allocating a grain", ext->path);
    return -1;
  }
  if (sparse_inflate_grain (ext, grain, at, data) == -1)
    return -1;
  memcpy (buf, data + in_grain, n);

  pthread_mutex_lock (&l->lock);
  free (ext->grain_cache);
  ext->grain_cache = steal_pointer (&data);
  ext->grain_cache_index = grain;
  pthread_mutex_unlock (&l->lock);
  return 0;
}

int
vmdk_grain_pread (struct vmdk_layer *l, struct vmdk_extent *ext, uint8_t *buf,
                  size_t count, uint64_t rel)
{
  uint64_t gtes[GTE_BATCH];

  while (count > 0) {
    uint64_t grain = rel / ext->grain_bytes;
    uint64_t in_grain = rel % ext->grain_bytes;
    uint64_t grains_left = (in_grain + count + ext->grain_bytes - 1)
      / ext->grain_bytes;
    int64_t n = grain_get_gtes (l, ext, grain,
                                min_u64 (GTE_BATCH, grains_left), gtes);
    int64_t i = 0;

    if (n == -1)
      return -1;
    while (i < n && count > 0) {
      size_t chunk = min_u64 (count, ext->grain_bytes - in_grain);
      struct vmdk_grain g;

      if (grain_decode (ext, grain + i, gtes[i], &g) == -1)
        return -1;
      if (g.type != EXTENT_DATA)
        memset (buf, 0, chunk);
      else if (ext->compressed && in_grain == 0
               && chunk == ext->grain_bytes) {
        /* A whole grain: inflate straight into the caller's buffer (the
         * mover's case), leaving the cache to partial reads. */
        if (sparse_inflate_grain (ext, grain + i, g.offset, buf) == -1)
          return -1;
      }
      else if (ext->compressed) {
        if (sparse_read_compressed (l, ext, grain + i, g.offset, in_grain,
                                    chunk, buf) == -1)
          return -1;
      }
      else {
        /* Grains stored one after another are read in one go. */
        uint64_t at = g.offset + in_grain;
        uint64_t next = g.offset + ext->grain_bytes;

        while (i + 1 < n && chunk < count) {
          struct vmdk_grain g2;
          if (grain_decode (ext, grain + i + 1, gtes[i + 1], &g2) == -1)
            return -1;
          if (g2.type != EXTENT_DATA || g2.offset != next)
            break;
          i++;
          next += ext->grain_bytes;
          chunk += min_u64 (count - chunk, ext->grain_bytes);
        }
        if (vmdk_extent_pread (ext, buf, chunk, at) == -1)
          return -1;
      }
      buf += chunk;
      count -= chunk;
      rel += chunk;
      in_grain = 0;
      i++;
    }
  }
  return 0;
}
