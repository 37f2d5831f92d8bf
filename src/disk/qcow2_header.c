/* qcow2_header.c: the qcow2 image header — reading and checking the
 * header of an image being opened, and writing a new image.
 *
 * Written from the format specification (QEMU docs/interop/qcow2.txt).
 *
 * Every header field is hostile until qcow2_check_header has bounded it:
 * nothing is sized, allocated or read from a field before that.  A new
 * image (qcow2_create) is version 3 with 16-bit refcounts; its refcount
 * table is sized for the image fully allocated, so that writing to it
 * rarely has to grow the table.
 *
 * This file must never accept a header field it has not range-checked, nor
 * leave a partly written new image behind when creating one fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/qcow2_internal.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/endian.h"
#include "util/error.h"
#include "util/io.h"

void
qcow2_parse_header (const uint8_t *b, struct qcow2_header *h)
{
  memset (h, 0, sizeof *h);
  h->version = get_be32 (b + 4);
  h->backing_file_offset = get_be64 (b + 8);
  h->backing_file_size = get_be32 (b + 16);
  h->cluster_bits = get_be32 (b + 20);
  h->size = get_be64 (b + 24);
  h->crypt_method = get_be32 (b + 32);
  h->l1_size = get_be32 (b + 36);
  h->l1_table_offset = get_be64 (b + 40);
  h->refcount_table_offset = get_be64 (b + 48);
  h->refcount_table_clusters = get_be32 (b + 56);
  h->nb_snapshots = get_be32 (b + 60);
  if (h->version >= 3) {
    h->incompatible_features = get_be64 (b + 72);
    h->compatible_features = get_be64 (b + 80);
    h->autoclear_features = get_be64 (b + 88);
    h->refcount_order = get_be32 (b + 96);
    h->header_length = get_be32 (b + 100);
  }
  else {
    h->refcount_order = 4;
    h->header_length = QCOW2_V2_HEADER_LENGTH;
  }
}

/* Whether [offset, offset+len) lies inside the file. */
static bool
qcow2_range_in_file (uint64_t offset, uint64_t len, uint64_t file_size)
{
  uint64_t end;

  return !checked_add (offset, len, &end) && end <= file_size;
}

/* Walk the header extensions in cluster 0 (buf holds `len` bytes). */
int
qcow2_parse_extensions (struct disk *disk, const uint8_t *buf, size_t len,
                        char *unknown_feature, size_t unknown_size)
{
  struct qcow2 *q = disk->priv;
  uint64_t unknown_bits = q->h.incompatible_features & ~QCOW2_INCOMPAT_KNOWN;
  size_t pos = q->h.header_length;
  size_t end = len;

  if (q->h.backing_file_offset && q->h.backing_file_offset < end)
    end = q->h.backing_file_offset;

  while (pos + 8 <= end) {
    uint32_t type = get_be32 (buf + pos);
    uint32_t ext_len = get_be32 (buf + pos + 4);
    const uint8_t *data = buf + pos + 8;

    if (type == QCOW2_EXT_END)
      return 0;
    if (ext_len > end - pos - 8) {
      error_set ("qcow2: %s: header extension 0x%08" PRIx32 " at offset %zu "
                 "is longer than the space left (%" PRIu32 " bytes)",
                 disk->path, type, pos, ext_len);
      return -1;
    }
    switch (type) {
    case QCOW2_EXT_BACKING_FORMAT:
      if (ext_len == 0 || ext_len > QCOW2_MAX_BACKING_NAME
          || memchr (data, 0, ext_len)) {
        error_set ("qcow2: %s: invalid backing file format extension",
                   disk->path);
        return -1;
      }
      free (disk->backing_format);
      disk->backing_format = strndup ((const char *) data, ext_len);
      if (disk->backing_format == NULL) {
        error_set_errno (errno, "qcow2: %s: strndup", disk->path);
        return -1;
      }
      break;
    case QCOW2_EXT_FEATURE_TABLE:
      for (size_t i = 0; i + 48 <= ext_len; i += 48) {
        unsigned ftype = data[i], bit = data[i + 1];
        if (ftype == 0 && bit < 64 && (unknown_bits & (1ULL << bit))
            && unknown_feature[0] == '\0') {
          size_t n = strnlen ((const char *) data + i + 2, 46);
          if (n >= unknown_size)
            n = unknown_size - 1;
          memcpy (unknown_feature, data + i + 2, n);
          unknown_feature[n] = '\0';
        }
      }
      break;
    default:
      break;                    /* other extensions are optional */
    }
    pos += 8 + round_up (ext_len, 8);
  }
  return 0;
}

int
qcow2_check_header (struct disk *disk, const struct qcow2_header *h,
                    uint64_t file_size)
{
  const char *path = disk->path;
  uint64_t cluster_size, l2_bits, coverage_bits, needed_l1;
  uint64_t incompat = h->incompatible_features;

  if (h->version != 2 && h->version != 3) {
    error_set ("qcow2: %s: unsupported qcow2 version %" PRIu32, path,
               h->version);
    return -1;
  }
  if (h->cluster_bits < 9 || h->cluster_bits > 21) {
    error_set ("qcow2: %s: unsupported cluster size 2^%" PRIu32
               " (must be 512 bytes to 2 MiB)", path, h->cluster_bits);
    return -1;
  }
  cluster_size = 1ULL << h->cluster_bits;
  if (h->version >= 3
      && (h->header_length < QCOW2_V3_MIN_HEADER_LENGTH
          || h->header_length % 8 != 0
          || h->header_length > cluster_size
          || h->header_length > file_size)) {
    error_set ("qcow2: %s: invalid header length %" PRIu32, path,
               h->header_length);
    return -1;
  }
  if (h->refcount_order > 6) {
    error_set ("qcow2: %s: invalid refcount order %" PRIu32, path,
               h->refcount_order);
    return -1;
  }
  if (h->crypt_method != 0) {
    error_set ("qcow2: %s: encrypted images are not supported", path);
    return -1;
  }
  if (incompat & QCOW2_INCOMPAT_CORRUPT) {
    error_set ("qcow2: %s: the image is marked corrupt; repair it with "
               "\"qemu-img check -r all\"", path);
    return -1;
  }
  if (incompat & QCOW2_INCOMPAT_DATA_FILE) {
    error_set ("qcow2: %s: images with an external data file are not "
               "supported", path);
    return -1;
  }
  if ((incompat & QCOW2_INCOMPAT_EXTENDED_L2) && h->cluster_bits < 14) {
    error_set ("qcow2: %s: extended L2 entries need clusters of at least "
               "16 KiB (cluster size %" PRIu64 ")", path, cluster_size);
    return -1;
  }

  l2_bits = h->cluster_bits - ((incompat & QCOW2_INCOMPAT_EXTENDED_L2) ? 4 : 3);
  coverage_bits = l2_bits + h->cluster_bits;
  needed_l1 = (h->size >> coverage_bits)
    + ((h->size & ((1ULL << coverage_bits) - 1)) != 0);
  if ((uint64_t) h->l1_size * 8 > QCOW2_MAX_L1_BYTES
      || needed_l1 * 8 > QCOW2_MAX_L1_BYTES) {
    error_set ("qcow2: %s: L1 table too large (virtual size %" PRIu64
               ", L1 size %" PRIu32 ")", path, h->size, h->l1_size);
    return -1;
  }
  if (h->l1_size < needed_l1) {
    error_set ("qcow2: %s: L1 table too small for the virtual size "
               "(%" PRIu32 " entries, %" PRIu64 " needed for %" PRIu64
               " bytes)", path, h->l1_size, needed_l1, h->size);
    return -1;
  }
  if (h->l1_size > 0
      && ((h->l1_table_offset & (cluster_size - 1))
          || !qcow2_range_in_file (h->l1_table_offset,
                                   (uint64_t) h->l1_size * 8, file_size))) {
    error_set ("qcow2: %s: L1 table is misaligned or past end of file "
               "(offset %" PRIu64 ", %" PRIu32 " entries, file size %"
               PRIu64 ")", path, h->l1_table_offset, h->l1_size, file_size);
    return -1;
  }
  if ((h->refcount_table_offset & (cluster_size - 1))
      || h->refcount_table_offset == 0
      || !qcow2_range_in_file (h->refcount_table_offset,
                               (uint64_t) h->refcount_table_clusters
                               * cluster_size, file_size)) {
    error_set ("qcow2: %s: refcount table is misaligned or past end of file "
               "(offset %" PRIu64 ", %" PRIu32 " clusters, file size %"
               PRIu64 ")", path, h->refcount_table_offset,
               h->refcount_table_clusters, file_size);
    return -1;
  }
  if (h->backing_file_offset != 0
      && (h->backing_file_size > QCOW2_MAX_BACKING_NAME
          || h->backing_file_offset >= cluster_size
          || !qcow2_range_in_file (h->backing_file_offset,
                                   h->backing_file_size, file_size))) {
    error_set ("qcow2: %s: invalid backing file name (offset %" PRIu64
               ", length %" PRIu32 ")", path, h->backing_file_offset,
               h->backing_file_size);
    return -1;
  }
  return 0;
}

/*----------------------------------------------------------------------
 * Create
 */

int
qcow2_create (const char *path, const struct disk_create_options *opts)
{
  uint64_t cs = opts->cluster_size ? opts->cluster_size : 65536;
  /* Guests see whole sectors; QEMU reads a size that is not a multiple of
   * 512 rounded down, so round up as qemu-img create does. */
  uint64_t size = opts->size > UINT64_MAX - 511 ? opts->size
                                                : round_up (opts->size, 512);
  unsigned cb, l2_bits, refblock_bits;
  uint64_t l1_size, l1_clusters, data_clusters, l2_clusters, est_clusters;
  uint64_t reftable_clusters, refblock_clusters, total, ext_end;
  size_t backing_len = 0, format_len = 0;
  CLEANUP_FREE uint8_t *header = NULL;
  CLEANUP_FREE uint8_t *reftable = NULL;
  CLEANUP_FREE uint8_t *refblocks = NULL;
  CLEANUP_CLOSE int fd = -1;
  size_t pos;

  if (!is_power_of_2 (cs) || cs < 512 || cs > (2u << 20)) {
    error_set ("qcow2: %s: invalid cluster size %" PRIu64 " (must be a "
               "power of two from 512 to 2097152)", path, cs);
    return -1;
  }
  cb = __builtin_ctzll (cs);
  l2_bits = cb - 3;
  refblock_bits = cb - 1;       /* 16-bit refcounts */

  l1_size = (size >> (cb + l2_bits))
    + ((size & ((1ULL << (cb + l2_bits)) - 1)) != 0);
  if (l1_size * 8 > QCOW2_MAX_L1_BYTES || size > (UINT64_MAX >> 2)) {
    error_set ("qcow2: %s: virtual size %" PRIu64 " is too large for "
               "cluster size %" PRIu64, path, size, cs);
    return -1;
  }
  l1_clusters = (l1_size * 8 + cs - 1) >> cb;

  if (opts->backing_file) {
    backing_len = strlen (opts->backing_file);
    if (backing_len == 0 || backing_len > QCOW2_MAX_BACKING_NAME) {
      error_set ("qcow2: %s: invalid backing file name length %zu", path,
                 backing_len);
      return -1;
    }
    if (opts->backing_format) {
      format_len = strlen (opts->backing_format);
      if (format_len == 0 || format_len > QCOW2_MAX_BACKING_NAME) {
        error_set ("qcow2: %s: invalid backing format \"%s\"", path,
                   opts->backing_format);
        return -1;
      }
    }
  }
  ext_end = QCOW2_CREATE_HEADER_LENGTH
    + (format_len ? 8 + round_up (format_len, 8) : 0) + 8;
  if (ext_end + backing_len > cs) {
    error_set ("qcow2: %s: backing file name does not fit in the first "
               "cluster (cluster size %" PRIu64 ")", path, cs);
    return -1;
  }

  /* Size the refcount table for a fully allocated image so that it
   * rarely needs to grow. */
  data_clusters = (size + cs - 1) >> cb;
  l2_clusters = (data_clusters + (1ULL << l2_bits) - 1) >> l2_bits;
  est_clusters = 1 + l1_clusters + data_clusters + l2_clusters + 16;
  est_clusters += (est_clusters >> refblock_bits) + 1;
  reftable_clusters = (((est_clusters >> refblock_bits) + 1) * 8 + cs - 1) >> cb;
  if (reftable_clusters * cs > QCOW2_CREATE_MAX_REFTABLE_BYTES)
    reftable_clusters = QCOW2_CREATE_MAX_REFTABLE_BYTES >> cb;
  if (reftable_clusters == 0)
    reftable_clusters = 1;
  refblock_clusters = 1;
  while ((refblock_clusters << refblock_bits)
         < 1 + reftable_clusters + refblock_clusters + l1_clusters)
    refblock_clusters++;
  if (refblock_clusters > (reftable_clusters << cb) / 8) {
    error_set ("qcow2: %s: internal error: refcount table too small", path);
    return -1;
  }
  total = 1 + reftable_clusters + refblock_clusters + l1_clusters;

  header = calloc (1, cs);
  reftable = calloc (reftable_clusters, cs);
  refblocks = calloc (refblock_clusters, cs);
  if (header == NULL || reftable == NULL || refblocks == NULL) {
    error_set_errno (errno, "qcow2: %s: calloc", path);
    return -1;
  }

  put_be32 (header + 0, QCOW2_MAGIC);
  put_be32 (header + 4, 3);
  if (backing_len) {
    put_be64 (header + 8, ext_end);
    put_be32 (header + 16, backing_len);
  }
  put_be32 (header + 20, cb);
  put_be64 (header + 24, size);
  put_be32 (header + 32, 0);                       /* no encryption */
  put_be32 (header + 36, l1_size);
  put_be64 (header + 40, (1 + reftable_clusters + refblock_clusters) << cb);
  put_be64 (header + 48, cs);                      /* refcount table */
  put_be32 (header + 56, reftable_clusters);
  put_be32 (header + 60, 0);                       /* snapshots */
  put_be64 (header + 64, 0);
  put_be64 (header + 72, 0);                       /* incompatible */
  put_be64 (header + 80, 0);                       /* compatible */
  put_be64 (header + 88, 0);                       /* autoclear */
  put_be32 (header + 96, 4);                       /* refcount order */
  put_be32 (header + 100, QCOW2_CREATE_HEADER_LENGTH);
  header[104] = QCOW2_COMPRESSION_ZLIB;
  pos = QCOW2_CREATE_HEADER_LENGTH;
  if (format_len) {
    put_be32 (header + pos, QCOW2_EXT_BACKING_FORMAT);
    put_be32 (header + pos + 4, format_len);
    memcpy (header + pos + 8, opts->backing_format, format_len);
    pos += 8 + round_up (format_len, 8);
  }
  pos += 8;                                        /* end of extensions */
  if (backing_len)
    memcpy (header + pos, opts->backing_file, backing_len);

  for (uint64_t i = 0; i < refblock_clusters; i++)
    put_be64 (reftable + i * 8, (1 + reftable_clusters + i) << cb);
  for (uint64_t c = 0; c < total; c++)
    put_be16 (refblocks + c * 2, 1);

  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd == -1) {
    error_set_errno (errno, "qcow2: %s: create", path);
    return -1;
  }
  if (io_pwrite_full (fd, header, cs, 0, path) == -1
      || io_pwrite_full (fd, reftable, reftable_clusters * cs, cs, path) == -1
      || io_pwrite_full (fd, refblocks, refblock_clusters * cs,
                         (1 + reftable_clusters) * cs, path) == -1) {
    error_prefix ("qcow2");
    goto fail;
  }
  if (io_ftruncate (fd, total * cs, path) == -1
      || io_fdatasync (fd, path) == -1) {
    error_prefix ("qcow2");
    goto fail;
  }
  return 0;

fail:
  unlink (path);
  return -1;
}
