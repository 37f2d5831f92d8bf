/* vmdk.c: the VMware VMDK format, read-only.
 *
 * Written from VMware's "Virtual Disk Format 1.1" specification and the
 * libyal format notes.  A VMDK layer is a text descriptor listing extents
 * (sparse files, flat files, zero ranges); the descriptor lives in its own
 * small file, or is embedded in a single sparse file (monolithicSparse,
 * streamOptimized).  This driver never writes.
 *
 * Layout of a layer once open (struct vmdk_layer):
 *
 *    guest bytes  [ extent 0 ][ extent 1 ] ... [ extent n-1 ]
 *                   start/length in bytes, contiguous from 0, sum = size
 *
 * Sparse extent ("KDMV" header): guest offset -> grain -> grain table (GT)
 * through the grain directory (GD).  The GD is loaded at open (bounded by
 * the file size); GTs are read on demand into a small cache.  A GT entry
 * (GTE) of 0 is unallocated (falls through to the parent layer), 1 is a
 * zeroed grain, anything else is the grain's sector in the file.  With
 * compressed grains (streamOptimized) a GTE points at a grain marker
 * (LBA u64, size u32) followed by a zlib stream, inflated whole with
 * libdeflate (grains are small and always inflated in one piece, where it
 * is several times faster than zlib, mostly in the Adler-32 check).
 *
 * ESX snapshot deltas use the same two-level map with other headers and
 * entries: vmfsSparse ("COWD", vmdk_cowd.c) and seSparse (vmdk_sesparse.c).
 * Their open functions fill the geometry and the GT offsets; the walk
 * (GT cache, block status, reads) is shared, in vmdk_grain.c, and every GTE
 * is decoded by its kind (grain_decode).  A delta descriptor names its
 * parent with parentFileNameHint; the chain itself is disk.c's business.
 *
 * Invariants: every on-disk offset is checked against the size of the file
 * it points into before it is used, every size computed from input goes
 * through checked.h, and nothing is allocated from an unchecked field.
 * pread and block_status run concurrently; the GT cache and the one-grain
 * decompression cache of each layer are guarded by vmdk_layer.lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/vmdk.h"
#include "disk/vmdk_extent.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/json.h"
#include "util/log.h"
#include "util/path.h"
#include "util/vector.h"

#define SECTOR VMDK_SECTOR
#define SPARSE_MAGIC VMDK_SPARSE_MAGIC
#define COWD_MAGIC VMDK_COWD_MAGIC

#define FLAG_NEWLINE_TEST (1u << 0)
#define FLAG_REDUNDANT_GT (1u << 1)
#define FLAG_COMPRESSED (1u << 16)
#define FLAG_MARKERS (1u << 17)

#define COMPRESS_NONE 0
#define COMPRESS_DEFLATE 1

#define GD_AT_END UINT64_MAX

#define MARKER_EOS 0
#define MARKER_GT 1
#define MARKER_GD 2
#define MARKER_FOOTER 3

/* VMware writes 128-sector grains and 512 GTEs per GT in hosted sparse
 * files; the shared bounds are in vmdk_extent.h. */
#define MAX_GRAIN_SECTORS VMDK_MAX_GRAIN_SECTORS
#define MAX_GTES_PER_GT VMDK_MAX_GTES_PER_GT
#define MAX_CAPACITY_SECTORS VMDK_MAX_CAPACITY_SECTORS
#define MAX_DISK_BYTES (UINT64_C (1) << 62)     /* keeps off_t arithmetic safe */

#define GT_CACHE_ENTRIES VMDK_GT_CACHE_ENTRIES

struct sparse_header {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint64_t capacity;
  uint64_t grain_size;
  uint64_t descriptor_offset;
  uint64_t descriptor_size;
  uint32_t gtes_per_gt;
  uint64_t rgd_offset;
  uint64_t gd_offset;
  uint64_t overhead;
  uint8_t unclean_shutdown;
  uint8_t newline_chars[4];
  uint16_t compress_algorithm;
};

extern const struct disk_driver disk_driver_vmdk;

/* ------------------------------------------------------------------ */
/* Probe                                                              */
/* ------------------------------------------------------------------ */

static int
vmdk_probe (const uint8_t *buf, size_t len, uint64_t file_size)
{
  if (len >= 4 && get_le32 (buf) == SPARSE_MAGIC)
    return 100;
  if (len >= 4 && get_le32 (buf) == COWD_MAGIC)
    return 100;
  if (vmdk_sesparse_probe (buf, len))
    return 100;
  if (file_size > VMDK_DESCRIPTOR_MAX)
    return 0;
  return vmdk_descriptor_probe ((const char *) buf, len) ? 100 : 0;
}

/* ------------------------------------------------------------------ */
/* Sparse extents                                                     */
/* ------------------------------------------------------------------ */

static void
sparse_header_decode (const uint8_t *b, struct sparse_header *h)
{
  h->magic = get_le32 (b + 0);
  h->version = get_le32 (b + 4);
  h->flags = get_le32 (b + 8);
  h->capacity = get_le64 (b + 12);
  h->grain_size = get_le64 (b + 20);
  h->descriptor_offset = get_le64 (b + 28);
  h->descriptor_size = get_le64 (b + 36);
  h->gtes_per_gt = get_le32 (b + 44);
  h->rgd_offset = get_le64 (b + 48);
  h->gd_offset = get_le64 (b + 56);
  h->overhead = get_le64 (b + 64);
  h->unclean_shutdown = b[72];
  memcpy (h->newline_chars, b + 73, 4);
  h->compress_algorithm = get_le16 (b + 77);
}

/* Read the footer of a stream-optimized file (GD_AT_END): the last three
 * sectors are a footer marker, a copy of the header with the real GD
 * offset, and an end-of-stream marker. */
static int
sparse_read_footer (struct vmdk_extent *ext, const struct sparse_header *h,
                    struct sparse_header *footer)
{
  uint8_t buf[3 * SECTOR];
  uint64_t at;

  if (ext->file_size < 4 * SECTOR) {
    error_set ("vmdk: %s: the grain directory is at the end of the file, but "
               "the file (%" PRIu64 " bytes) is too short to hold a footer "
               "(truncated stream?)", ext->path, ext->file_size);
    return -1;
  }
  at = round_down (ext->file_size, SECTOR) - 3 * SECTOR;
  if (vmdk_extent_pread (ext, buf, sizeof buf, at) == -1)
    return -1;
  if (h->flags & FLAG_MARKERS) {
    if (get_le32 (buf + 8) != 0 || get_le32 (buf + 12) != MARKER_FOOTER
        || get_le32 (buf + 2 * SECTOR + 8) != 0
        || get_le32 (buf + 2 * SECTOR + 12) != MARKER_EOS) {
      error_set ("vmdk: %s: no footer and end-of-stream marker at the end "
                 "of the file (truncated stream?)", ext->path);
      return -1;
    }
  }
  sparse_header_decode (buf + SECTOR, footer);
  if (footer->magic != SPARSE_MAGIC) {
    error_set ("vmdk: %s: the footer at offset %" PRIu64 " has no sparse "
               "magic (truncated stream?)", ext->path, at + SECTOR);
    return -1;
  }
  if (footer->gd_offset == GD_AT_END) {
    error_set ("vmdk: %s: the footer does not say where the grain "
               "directory is", ext->path);
    return -1;
  }
  return 0;
}

static int
sparse_header_check (const struct vmdk_extent *ext,
                     const struct sparse_header *h)
{
  const char *path = ext->path;
  const uint64_t size = ext->file_size;
  static const uint8_t newlines[4] = { '\n', ' ', '\r', '\n' };

  if (h->version < 1 || h->version > 3) {
    error_set ("vmdk: %s: unsupported sparse format version %" PRIu32,
               path, h->version);
    return -1;
  }
  if ((h->flags & FLAG_NEWLINE_TEST)
      && memcmp (h->newline_chars, newlines, 4) != 0) {
    error_set ("vmdk: %s: the newline test characters are wrong: the file "
               "was corrupted by a text-mode transfer", path);
    return -1;
  }
  if (h->grain_size == 0 || h->grain_size > MAX_GRAIN_SECTORS
      || !is_power_of_2 (h->grain_size)) {
    error_set ("vmdk: %s: grain size of %" PRIu64 " sectors is not a power "
               "of two between 1 and %u", path, h->grain_size,
               MAX_GRAIN_SECTORS);
    return -1;
  }
  if (h->gtes_per_gt == 0 || h->gtes_per_gt > MAX_GTES_PER_GT) {
    error_set ("vmdk: %s: %" PRIu32 " entries per grain table is out of "
               "range (1 to %u)", path, h->gtes_per_gt, MAX_GTES_PER_GT);
    return -1;
  }
  if (h->capacity > MAX_CAPACITY_SECTORS) {
    error_set ("vmdk: %s: capacity of %" PRIu64 " sectors is too large "
               "(at most %" PRIu64 ")", path, h->capacity,
               MAX_CAPACITY_SECTORS);
    return -1;
  }
  if (h->flags & FLAG_COMPRESSED) {
    if (h->compress_algorithm != COMPRESS_DEFLATE) {
      error_set ("vmdk: %s: unsupported compression algorithm %u", path,
                 h->compress_algorithm);
      return -1;
    }
  }
  else if (h->compress_algorithm != COMPRESS_NONE
           && h->compress_algorithm != COMPRESS_DEFLATE) {
    error_set ("vmdk: %s: unknown compression algorithm %u", path,
               h->compress_algorithm);
    return -1;
  }
  if (h->descriptor_offset != 0 || h->descriptor_size != 0) {
    if (h->descriptor_offset == 0 || h->descriptor_size == 0
        || h->descriptor_size > VMDK_DESCRIPTOR_MAX / SECTOR
        || !vmdk_sectors_fit (h->descriptor_offset, h->descriptor_size * SECTOR,
                         size)) {
      error_set ("vmdk: %s: embedded descriptor (sector %" PRIu64 ", %"
                 PRIu64 " sectors) is empty, too large or past end of file "
                 "(size %" PRIu64 ")", path, h->descriptor_offset,
                 h->descriptor_size, size);
      return -1;
    }
  }
  if (h->gd_offset == 0) {
    error_set ("vmdk: %s: the header has no grain directory offset", path);
    return -1;
  }
  return 0;
}

/* Open the sparse file behind ext (ext->fd, ->path, ->file_size set):
 * check the header, use the footer when the GD is at the end, load the
 * GD.  *hdr receives the header in use. */
static int
sparse_open (struct vmdk_extent *ext, struct sparse_header *hdr)
{
  uint8_t buf[SECTOR];
  uint64_t gd_bytes;

  if (ext->file_size < SECTOR) {
    error_set ("vmdk: %s: file is too short (%" PRIu64 " bytes) for a sparse "
               "header", ext->path, ext->file_size);
    return -1;
  }
  if (vmdk_extent_pread (ext, buf, sizeof buf, 0) == -1)
    return -1;
  sparse_header_decode (buf, hdr);
  if (hdr->magic != SPARSE_MAGIC) {
    error_set ("vmdk: %s: not a VMDK sparse extent (bad magic 0x%08" PRIx32
               ")", ext->path, hdr->magic);
    return -1;
  }
  if (hdr->gd_offset == GD_AT_END) {
    struct sparse_header footer;
    if (sparse_read_footer (ext, hdr, &footer) == -1)
      return -1;
    *hdr = footer;
  }
  if (sparse_header_check (ext, hdr) == -1)
    return -1;

  ext->version = hdr->version;
  ext->flags = hdr->flags;
  ext->compressed = hdr->flags & FLAG_COMPRESSED;
  ext->capacity = hdr->capacity * SECTOR;
  ext->grain_bytes = hdr->grain_size * SECTOR;
  ext->gtes_per_gt = hdr->gtes_per_gt;
  ext->gte_size = 4;
  ext->gt_bytes = (uint64_t) hdr->gtes_per_gt * 4;
  ext->gd_entries = vmdk_gts_needed (ext);
  gd_bytes = ext->gd_entries * 4;
  if (ext->gd_entries > VMDK_MAX_GD_ENTRIES) {
    error_set ("vmdk: %s: grain directory of %" PRIu64 " entries is too "
               "large", ext->path, ext->gd_entries);
    return -1;
  }
  if (!vmdk_sectors_fit (hdr->gd_offset, gd_bytes, ext->file_size)) {
    error_set ("vmdk: %s: grain directory (sector %" PRIu64 ", %" PRIu64
               " bytes) points past end of file (size %" PRIu64 ")",
               ext->path, hdr->gd_offset, gd_bytes, ext->file_size);
    return -1;
  }
  /* The redundant GD is never used, but a header that points it outside
   * the file is damaged. */
  if ((hdr->flags & FLAG_REDUNDANT_GT) && hdr->rgd_offset != 0
      && !vmdk_sectors_fit (hdr->rgd_offset, gd_bytes, ext->file_size)) {
    error_set ("vmdk: %s: redundant grain directory (sector %" PRIu64
               ") points past end of file (size %" PRIu64 ")", ext->path,
               hdr->rgd_offset, ext->file_size);
    return -1;
  }
  return vmdk_load_gd32 (ext, hdr->gd_offset * SECTOR, 0);
}

int
vmdk_load_gd32 (struct vmdk_extent *ext, uint64_t gd_offset,
                uint64_t min_gt_offset)
{
  uint64_t gd_bytes = ext->gd_entries * 4;   /* <= 64 MiB, checked */
  CLEANUP_FREE uint8_t *raw = malloc (gd_bytes ? gd_bytes : 1);

  ext->gt_offsets = calloc (ext->gd_entries ? ext->gd_entries : 1,
                            sizeof *ext->gt_offsets);
  if (raw == NULL || ext->gt_offsets == NULL) {
    error_set_errno (errno, "vmdk: %s: allocating the grain directory",
                     ext->path);
    return -1;
  }
  if (gd_bytes
      && vmdk_extent_pread (ext, raw, gd_bytes, gd_offset) == -1)
    return -1;
  for (uint64_t i = 0; i < ext->gd_entries; i++) {
    uint64_t at = (uint64_t) get_le32 (raw + 4 * i) * SECTOR;

    if (at == 0)
      continue;
    if (at < min_gt_offset) {
      error_set ("vmdk: %s: grain table %" PRIu64 " points into the header "
                 "(offset %" PRIu64 ")", ext->path, i, at);
      return -1;
    }
    if (!vmdk_range_fits (at, ext->gt_bytes, ext->file_size)) {
      error_set ("vmdk: %s: grain table %" PRIu64 " points past end of file "
                 "(offset %" PRIu64 ", size %" PRIu64 ")", ext->path, i, at,
                 ext->file_size);
      return -1;
    }
    ext->gt_offsets[i] = at;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Flat extents                                                       */
/* ------------------------------------------------------------------ */

static int
flat_block_status (struct vmdk_extent *ext, uint64_t rel, uint64_t length,
                   struct extent *out)
{
  uint64_t at = ext->file_offset + rel;
  uint64_t end = at + length;
  off_t data, hole;

  /* A flat file shorter than its extent reads as zeros past its end. */
  if (at >= ext->file_size) {
    out->type = EXTENT_ZERO;
    out->length = length;
    return 0;
  }
  data = lseek (ext->fd, (off_t) at, SEEK_DATA);
  if (data == -1 && errno == ENXIO) {
    out->type = EXTENT_ZERO;
    out->length = length;
    return 0;
  }
  if (data == -1) {
    if (errno == EINVAL || errno == ENOTSUP || errno == EOPNOTSUPP) {
      out->type = EXTENT_DATA;
      out->length = min_u64 (end, ext->file_size) - at;
      return 0;
    }
    error_set_errno (errno, "vmdk: %s: SEEK_DATA", ext->path);
    return -1;
  }
  if ((uint64_t) data > at) {
    out->type = EXTENT_ZERO;
    out->length = min_u64 ((uint64_t) data, end) - at;
    return 0;
  }
  hole = lseek (ext->fd, (off_t) at, SEEK_HOLE);
  if (hole == -1) {
    error_set_errno (errno, "vmdk: %s: SEEK_HOLE", ext->path);
    return -1;
  }
  out->type = EXTENT_DATA;
  out->length = min_u64 (min_u64 ((uint64_t) hole, end), ext->file_size) - at;
  if (out->length == 0)         /* the file changed under us */
    out->length = min_u64 (end, ext->file_size) - at;
  return 0;
}

static int
flat_pread (struct vmdk_extent *ext, uint8_t *buf, size_t count, uint64_t rel)
{
  uint64_t at = ext->file_offset + rel;
  size_t have = at >= ext->file_size ? 0 : min_u64 (count,
                                                    ext->file_size - at);

  if (have > 0 && vmdk_extent_pread (ext, buf, have, at) == -1)
    return -1;
  memset (buf + have, 0, count - have);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Open, close and the driver callbacks                               */
/* ------------------------------------------------------------------ */

static int64_t
vmdk_fd_size (int fd, const char *path)
{
  struct stat st;
  off_t end;

  if (fstat (fd, &st) == -1) {
    error_set_errno (errno, "vmdk: %s: stat", path);
    return -1;
  }
  if (!S_ISBLK (st.st_mode))
    return st.st_size;
  end = lseek (fd, 0, SEEK_END);
  if (end == -1) {
    error_set_errno (errno, "vmdk: %s: finding the device size", path);
    return -1;
  }
  return end;
}

static void
vmdk_extent_free (struct vmdk_extent *ext)
{
  if (ext->own_fd && ext->fd >= 0)
    close (ext->fd);
  free (ext->filename);
  free (ext->path);
  free (ext->gt_offsets);
  for (unsigned i = 0; i < GT_CACHE_ENTRIES; i++)
    free (ext->gt_cache[i].gtes);
  free (ext->grain_cache);
}

static void
vmdk_layer_free (struct vmdk_layer *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->n_extents; i++)
    vmdk_extent_free (&l->extents[i]);
  free (l->extents);
  vmdk_descriptor_free (&l->desc);
  pthread_mutex_destroy (&l->lock);
  free (l);
}

/* What a grain-table extent file holds, from its first bytes: SPARSE
 * ("KDMV"), VMFSSPARSE ("COWD"), SESPARSE, or ZERO when none of them. */
static enum vmdk_extent_type
grain_file_kind (const uint8_t *buf, size_t len)
{
  if (len >= 4 && get_le32 (buf) == SPARSE_MAGIC)
    return VMDK_EXTENT_SPARSE;
  if (len >= 4 && get_le32 (buf) == COWD_MAGIC)
    return VMDK_EXTENT_VMFSSPARSE;
  if (len >= 8 && get_le64 (buf) == VMDK_SESPARSE_MAGIC)
    return VMDK_EXTENT_SESPARSE;
  return VMDK_EXTENT_ZERO;
}

/* Open the grain-table extent behind ext (fd, path, file_size set) that the
 * descriptor calls `declared`.  SPARSE and VMFSSPARSE extents are told
 * apart by their magic, as VMware's own tools do (a hosted delta may be
 * either); an SESPARSE extent must be seSparse.  *hdr receives the header
 * of a hosted sparse file. */
static int
grain_extent_open (struct vmdk_extent *ext, enum vmdk_extent_type declared,
                   struct sparse_header *hdr)
{
  uint8_t magic[8] = { 0 };
  enum vmdk_extent_type kind;

  if (vmdk_extent_pread (ext, magic, min_u64 (sizeof magic, ext->file_size),
                         0) == -1)
    return -1;
  kind = grain_file_kind (magic, min_u64 (sizeof magic, ext->file_size));
  if (declared == VMDK_EXTENT_SESPARSE && kind != VMDK_EXTENT_SESPARSE) {
    error_set ("vmdk: %s: not an seSparse extent (bad magic 0x%016" PRIx64
               ")", ext->path, get_le64 (magic));
    return -1;
  }
  if (declared != VMDK_EXTENT_SESPARSE && kind == VMDK_EXTENT_SESPARSE) {
    error_set ("vmdk: %s: the descriptor calls it %s, but it is an seSparse "
               "extent", ext->path, vmdk_extent_type_name (declared));
    return -1;
  }
  if (declared == VMDK_EXTENT_VMFSSPARSE && kind == VMDK_EXTENT_ZERO) {
    error_set ("vmdk: %s: not a vmfsSparse (COWD) extent (bad magic 0x%08"
               PRIx32 ")", ext->path, get_le32 (magic));
    return -1;
  }
  ext->type = kind;
  switch (kind) {
  case VMDK_EXTENT_VMFSSPARSE:
    return vmdk_cowd_open (ext);
  case VMDK_EXTENT_SESPARSE:
    return vmdk_sesparse_open (ext);
  default:
    ext->type = VMDK_EXTENT_SPARSE;
    return sparse_open (ext, hdr);  /* explains a bad magic */
  }
}

/* The layer is a single grain-table file (a hosted sparse file, or an ESX
 * delta extent opened on its own): it is its own only extent, whatever an
 * embedded descriptor lists (the file may have been renamed).  A bare ESX
 * delta has no descriptor, hence no parent: its holes read as zeros. */
static int
vmdk_open_grain_file (struct disk *disk, struct vmdk_layer *l,
                      uint64_t file_size, enum vmdk_extent_type kind)
{
  struct vmdk_extent *ext;
  struct sparse_header hdr = { 0 };

  l->extents = calloc (1, sizeof *l->extents);
  if (l->extents == NULL) {
    error_set_errno (errno, "vmdk: %s: calloc", disk->path);
    return -1;
  }
  l->n_extents = 1;
  ext = &l->extents[0];
  ext->type = kind;
  ext->fd = disk->fd;
  ext->own_fd = false;
  ext->layer = disk;
  ext->file_size = file_size;
  ext->path = strdup (disk->path);
  ext->filename = strdup (path_base_name (disk->path));
  if (ext->path == NULL || ext->filename == NULL) {
    error_set_errno (errno, "vmdk: %s: strdup", disk->path);
    return -1;
  }
  if (grain_extent_open (ext, kind, &hdr) == -1)
    return -1;
  ext->start = 0;
  ext->length = ext->capacity;

  if (kind == VMDK_EXTENT_SPARSE && hdr.descriptor_offset != 0) {
    size_t len = hdr.descriptor_size * SECTOR;  /* checked: <= 1 MiB */
    CLEANUP_FREE char *text = malloc (len);
    CLEANUP_FREE char *what = NULL;

    if (text == NULL
        || asprintf (&what, "%s: embedded descriptor", disk->path) == -1) {
      what = NULL;
      error_set_errno (errno, "vmdk: %s: allocating the descriptor",
                       disk->path);
      return -1;
    }
    if (disk_file_pread (disk, text, len,
                         hdr.descriptor_offset * SECTOR) == -1)
      return -1;
    if (vmdk_descriptor_parse (text, len, what, &l->desc) == -1)
      return -1;
  }
  else {
    /* No descriptor (an extent of a split disk opened on its own). */
    struct vmdk_descriptor_extent *de = calloc (1, sizeof *de);

    l->desc.parent_cid = VMDK_CID_NONE;
    if (de == NULL || (de->filename = strdup (ext->filename)) == NULL) {
      free (de);
      error_set_errno (errno, "vmdk: %s: calloc", disk->path);
      return -1;
    }
    de->access = VMDK_ACCESS_RW;
    de->sectors = ext->capacity / SECTOR;
    de->type = ext->type;
    l->desc.extents = de;
    l->desc.n_extents = 1;
  }
  return 0;
}

/* Refuse what cannot be read before opening any file, so that an RDM
 * descriptor copied without its mapping file still says what it is. */
static int
vmdk_check_extent_types (struct disk *disk, const struct vmdk_descriptor *d)
{
  if (d->n_extents == 0) {
    error_set ("vmdk: %s: descriptor lists no extents", disk->path);
    return -1;
  }
  for (size_t i = 0; i < d->n_extents; i++) {
    const struct vmdk_descriptor_extent *e = &d->extents[i];

    switch (e->type) {
    case VMDK_EXTENT_VMFSRDM:
    case VMDK_EXTENT_VMFSRAW:
      error_set ("vmdk: %s: line %u: extent \"%s\" is a raw device mapping "
                 "(%s): it maps a physical LUN and cannot be read as an "
                 "image", disk->path, e->line, e->filename,
                 vmdk_extent_type_name (e->type));
      return -1;
    case VMDK_EXTENT_VMFSSPARSE:
    case VMDK_EXTENT_SESPARSE:
    case VMDK_EXTENT_SPARSE:
    case VMDK_EXTENT_FLAT:
    case VMDK_EXTENT_ZERO:
    case VMDK_EXTENT_VMFS:
      break;
    }
    if (e->access == VMDK_ACCESS_NOACCESS) {
      error_set ("vmdk: %s: line %u: extent \"%s\" is marked NOACCESS",
                 disk->path, e->line, e->filename ? e->filename : "");
      return -1;
    }
  }
  return 0;
}

static int
vmdk_open_extents (struct disk *disk, struct vmdk_layer *l)
{
  const struct vmdk_descriptor *d = &l->desc;
  uint64_t total = 0;

  if (vmdk_check_extent_types (disk, d) == -1)
    return -1;
  /* An image read in place from inside another file (an OVA) must be
   * whole: its extent names would point at files the archive's author
   * chose, outside it. */
  if (disk_is_window (disk)) {
    error_set ("vmdk: %s: a descriptor that names extent files (\"%s\") "
               "cannot be read from inside another file; only single-file "
               "VMDKs (monolithicSparse, streamOptimized) can", disk->path,
               d->extents[0].filename ? d->extents[0].filename : "");
    return -1;
  }
  l->extents = calloc (d->n_extents, sizeof *l->extents);
  if (l->extents == NULL) {
    error_set_errno (errno, "vmdk: %s: calloc", disk->path);
    return -1;
  }
  for (size_t i = 0; i < d->n_extents; i++) {
    const struct vmdk_descriptor_extent *de = &d->extents[i];
    struct vmdk_extent *ext = &l->extents[l->n_extents];
    int64_t fsize;
    uint64_t length, end;

    if (checked_mul (de->sectors, SECTOR, &length)
        || checked_add (total, length, &end) || end > MAX_DISK_BYTES) {
      error_set ("vmdk: %s: line %u: extent sizes add up to more than %"
                 PRIu64 " bytes", disk->path, de->line, MAX_DISK_BYTES);
      return -1;
    }
    if (length == 0)
      continue;
    ext->fd = -1;
    l->n_extents++;
    ext->start = total;
    ext->length = length;
    total = end;
    ext->type = de->type;
    ext->access = de->access;
    if (de->type == VMDK_EXTENT_ZERO)
      continue;

    ext->filename = strdup (de->filename);
    if (ext->filename == NULL) {
      error_set_errno (errno, "vmdk: %s: strdup", disk->path);
      return -1;
    }
    ext->path = disk_resolve_path (disk, de->filename);
    if (ext->path == NULL)
      return -1;
    ext->fd = open (ext->path, O_RDONLY | O_CLOEXEC);
    if (ext->fd == -1) {
      error_set_errno (errno, "vmdk: %s: line %u: opening extent %s",
                       disk->path, de->line, ext->path);
      return -1;
    }
    ext->own_fd = true;
    fsize = vmdk_fd_size (ext->fd, ext->path);
    if (fsize == -1)
      return -1;
    ext->file_size = fsize;

    if (ext->type == VMDK_EXTENT_FLAT || ext->type == VMDK_EXTENT_VMFS) {
      if (checked_mul (de->offset, SECTOR, &ext->file_offset)
          || checked_add (ext->file_offset, length, &end)
          || end > MAX_DISK_BYTES) {
        error_set ("vmdk: %s: line %u: extent offset %" PRIu64 " is too "
                   "large", disk->path, de->line, de->offset);
        return -1;
      }
    }
    else {
      struct sparse_header hdr;
      if (grain_extent_open (ext, de->type, &hdr) == -1)
        return -1;
      if (ext->length > ext->capacity) {
        error_set ("vmdk: %s: line %u: extent of %" PRIu64 " sectors is "
                   "larger than the capacity of %s (%" PRIu64 " sectors)",
                   disk->path, de->line, de->sectors, ext->path,
                   ext->capacity / SECTOR);
        return -1;
      }
    }
  }
  disk->size = total;
  return 0;
}

static int
vmdk_open (struct disk *disk)
{
  struct vmdk_layer *l;
  uint8_t magic[8] = { 0 };
  enum vmdk_extent_type kind;
  int64_t file_size;
  const struct vmdk_descriptor *d;
  int err;

  disk->priv = NULL;
  file_size = disk_file_size (disk);
  if (file_size == -1)
    return -1;
  l = calloc (1, sizeof *l);
  if (l == NULL) {
    error_set_errno (errno, "vmdk: %s: calloc", disk->path);
    return -1;
  }
  l->desc.parent_cid = VMDK_CID_NONE;
  err = pthread_mutex_init (&l->lock, NULL);
  if (err != 0) {
    free (l);
    error_set_errno (err, "vmdk: %s: pthread_mutex_init", disk->path);
    return -1;
  }

  if (disk_file_pread (disk, magic, min_u64 (sizeof magic, file_size),
                       0) == -1)
    goto fail;
  kind = grain_file_kind (magic, min_u64 (sizeof magic, file_size));
  if (kind != VMDK_EXTENT_ZERO) {
    if (vmdk_open_grain_file (disk, l, file_size, kind) == -1)
      goto fail;
    disk->size = l->extents[0].length;
  }
  else {
    CLEANUP_FREE char *text = NULL;

    if (file_size > VMDK_DESCRIPTOR_MAX) {
      error_set ("vmdk: %s: not a sparse VMDK file, and too large (%" PRId64
                 " bytes) to be a descriptor", disk->path, file_size);
      goto fail;
    }
    text = malloc (file_size + 1);
    if (text == NULL) {
      error_set_errno (errno, "vmdk: %s: malloc", disk->path);
      goto fail;
    }
    if (disk_file_pread (disk, text, file_size, 0) == -1)
      goto fail;
    if (vmdk_descriptor_parse (text, file_size, disk->path, &l->desc) == -1)
      goto fail;
    if (vmdk_open_extents (disk, l) == -1)
      goto fail;
  }

  d = &l->desc;
  if (d->parent_cid != VMDK_CID_NONE) {
    if (d->parent_filename_hint == NULL) {
      error_set ("vmdk: %s: parentCID is %08" PRIx32 " but the descriptor "
                 "has no parentFileNameHint naming the parent", disk->path,
                 d->parent_cid);
      goto fail;
    }
    disk->backing_path = strdup (d->parent_filename_hint);
    disk->backing_format = strdup ("vmdk");
    if (disk->backing_path == NULL || disk->backing_format == NULL) {
      error_set_errno (errno, "vmdk: %s: strdup", disk->path);
      goto fail;
    }
  }
  log_debug ("vmdk: %s: createType %s, %zu extent(s), parent %s", disk->path,
             d->create_type ? d->create_type : "(none)", l->n_extents,
             d->parent_filename_hint && d->parent_cid != VMDK_CID_NONE
             ? d->parent_filename_hint : "(none)");
  disk->priv = l;
  return 0;

fail:
  vmdk_layer_free (l);
  return -1;
}

static void
vmdk_close (struct disk *disk)
{
  vmdk_layer_free (disk->priv);
  disk->priv = NULL;
}

/* The extent holding guest offset `offset` (< disk->size). */
static struct vmdk_extent *
vmdk_find_extent (struct vmdk_layer *l, uint64_t offset)
{
  size_t lo = 0, hi = l->n_extents;

  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (l->extents[mid].start <= offset)
      lo = mid;
    else
      hi = mid;
  }
  return &l->extents[lo];
}

static int
vmdk_block_status (struct disk *disk, uint64_t offset, uint64_t length,
                   struct extent *out)
{
  struct vmdk_layer *l = disk->priv;
  struct vmdk_extent *ext;
  uint64_t rel;

  if (disk_check_range (disk, offset, length) == -1 || length == 0) {
    if (length == 0)
      error_set ("vmdk: %s: block status of an empty range", disk->path);
    return -1;
  }
  ext = vmdk_find_extent (l, offset);
  rel = offset - ext->start;
  length = min_u64 (length, ext->length - rel);
  out->offset = offset;
  switch (ext->type) {
  case VMDK_EXTENT_SPARSE:
  case VMDK_EXTENT_VMFSSPARSE:
  case VMDK_EXTENT_SESPARSE:
    return vmdk_grain_block_status (l, ext, rel, length, out);
  case VMDK_EXTENT_FLAT:
  case VMDK_EXTENT_VMFS:
    return flat_block_status (ext, rel, length, out);
  default:
    out->type = EXTENT_ZERO;
    out->length = length;
    return 0;
  }
}

static int
vmdk_pread (struct disk *disk, void *buf, size_t count, uint64_t offset)
{
  struct vmdk_layer *l = disk->priv;
  uint8_t *p = buf;

  if (disk_check_range (disk, offset, count) == -1)
    return -1;
  while (count > 0) {
    struct vmdk_extent *ext = vmdk_find_extent (l, offset);
    uint64_t rel = offset - ext->start;
    size_t n = min_u64 (count, ext->length - rel);
    int r = 0;

    switch (ext->type) {
    case VMDK_EXTENT_SPARSE:
    case VMDK_EXTENT_VMFSSPARSE:
    case VMDK_EXTENT_SESPARSE:
      r = vmdk_grain_pread (l, ext, p, n, rel);
      break;
    case VMDK_EXTENT_FLAT:
    case VMDK_EXTENT_VMFS:
      r = flat_pread (ext, p, n, rel);
      break;
    default:
      memset (p, 0, n);
    }
    if (r == -1)
      return -1;
    p += n;
    offset += n;
    count -= n;
  }
  return 0;
}

const struct vmdk_descriptor *
vmdk_get_descriptor (struct disk *disk)
{
  struct vmdk_layer *l;

  if (disk == NULL || disk->driver != &disk_driver_vmdk || disk->priv == NULL)
    return NULL;
  l = disk->priv;
  return &l->desc;
}

static int
vmdk_check_backing (struct disk *disk, struct disk *backing)
{
  const struct vmdk_descriptor *d = vmdk_get_descriptor (disk);
  const struct vmdk_descriptor *pd = vmdk_get_descriptor (backing);

  if (d == NULL)
    return 0;
  if (pd == NULL) {
    error_set ("vmdk: %s: parent %s is not a VMDK image", disk->path,
               backing->path);
    return -1;
  }
  if (!pd->has_cid) {
    error_set ("vmdk: %s: parent %s has no CID (parentCID=%08" PRIx32 ")",
               disk->path, backing->path, d->parent_cid);
    return -1;
  }
  if (pd->cid != d->parent_cid) {
    error_set ("vmdk: %s: parent CID mismatch (parentCID=%08" PRIx32
               ", parent's CID=%08" PRIx32 " in %s): the parent was "
               "changed after this snapshot was taken", disk->path,
               d->parent_cid, pd->cid, backing->path);
    return -1;
  }
  return 0;
}

static int64_t
vmdk_allocated_bytes (struct disk *disk)
{
  struct vmdk_layer *l = disk->priv;
  struct stat st;
  int64_t total;

  if (fstat (disk->fd, &st) == -1) {
    error_set_errno (errno, "vmdk: %s: stat", disk->path);
    return -1;
  }
  total = (int64_t) st.st_blocks * 512;
  for (size_t i = 0; i < l->n_extents; i++) {
    const struct vmdk_extent *ext = &l->extents[i];
    if (!ext->own_fd || ext->fd < 0)
      continue;
    /* twoGb disks name one file per extent; count a file only once. */
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = l->extents[j].own_fd && l->extents[j].path
        && strcmp (l->extents[j].path, ext->path) == 0;
    if (seen)
      continue;
    if (fstat (ext->fd, &st) == -1) {
      error_set_errno (errno, "vmdk: %s: stat", ext->path);
      return -1;
    }
    total += (int64_t) st.st_blocks * 512;
  }
  return total;
}

static int
vmdk_info_hex (json_t *obj, const char *key, bool present, uint32_t v)
{
  char s[16];

  if (!present)
    return json_set_new (obj, key, json_null ());
  snprintf (s, sizeof s, "%08" PRIx32, v);
  return json_set_string (obj, key, s);
}

static int
vmdk_info (struct disk *disk, json_t *obj)
{
  struct vmdk_layer *l = disk->priv;
  const struct vmdk_descriptor *d = &l->desc;
  json_t *geometry, *extents;

  if (json_set_string (obj, "create-type", d->create_type) == -1
      || vmdk_info_hex (obj, "cid", d->has_cid, d->cid) == -1
      || vmdk_info_hex (obj, "parent-cid", d->parent_cid != VMDK_CID_NONE,
                        d->parent_cid) == -1
      || json_set_string (obj, "adapter-type", d->adapter_type) == -1)
    return -1;
  if (d->cylinders || d->heads || d->sectors) {
    geometry = json_object ();
    if (json_set_new (obj, "geometry", geometry) == -1
        || json_set_u64 (geometry, "cylinders", d->cylinders) == -1
        || json_set_u64 (geometry, "heads", d->heads) == -1
        || json_set_u64 (geometry, "sectors", d->sectors) == -1)
      return -1;
  }
  if (d->virtual_hw_version
      && json_set_u64 (obj, "virtual-hardware-version",
                       d->virtual_hw_version) == -1)
    return -1;
  if (json_set_string (obj, "uuid", d->uuid) == -1
      || json_set_string (obj, "parent-filename-hint",
                          d->parent_filename_hint) == -1)
    return -1;

  extents = json_array ();
  if (json_set_new (obj, "extents", extents) == -1)
    return -1;
  for (size_t i = 0; i < l->n_extents; i++) {
    const struct vmdk_extent *ext = &l->extents[i];
    json_t *e = json_object ();

    if (e == NULL || json_array_append_new (extents, e) == -1) {
      error_set ("json: out of memory");
      return -1;
    }
    if (json_set_string (e, "filename", ext->filename) == -1
        || json_set_string (e, "type", vmdk_extent_type_name (ext->type)) == -1
        || json_set_string (e, "access", vmdk_access_name (ext->access)) == -1
        || json_set_u64 (e, "sectors", ext->length / SECTOR) == -1
        || json_set_u64 (e, "start", ext->start) == -1)
      return -1;
    if ((ext->type == VMDK_EXTENT_FLAT || ext->type == VMDK_EXTENT_VMFS)
        && json_set_u64 (e, "offset", ext->file_offset / SECTOR) == -1)
      return -1;
    if (ext->type == VMDK_EXTENT_SPARSE
        && (json_set_u64 (e, "version", ext->version) == -1
            || json_set_u64 (e, "grain-size", ext->grain_bytes) == -1
            || json_set_bool (e, "compressed", ext->compressed) == -1))
      return -1;
    if ((ext->type == VMDK_EXTENT_VMFSSPARSE
         || ext->type == VMDK_EXTENT_SESPARSE)
        && json_set_u64 (e, "grain-size", ext->grain_bytes) == -1)
      return -1;
  }
  return 0;
}

const struct disk_driver disk_driver_vmdk = {
  .name = "vmdk",
  .probe = vmdk_probe,
  .open = vmdk_open,
  .close = vmdk_close,
  .pread = vmdk_pread,
  .block_status = vmdk_block_status,
  .info = vmdk_info,
  .allocated_bytes = vmdk_allocated_bytes,
  .check_backing = vmdk_check_backing,
};
