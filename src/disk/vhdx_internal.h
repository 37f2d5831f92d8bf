/* vhdx_internal.h: the VHDX driver's private view of an open file,
 * shared by vhdx.c (headers, region table, BAT, reads), vhdx_log.c (log
 * replay) and vhdx_metadata.c (metadata region, parent locator).  Nothing
 * outside these three files includes it.  See vhdx.c for the file layout
 * and the order in which an open fills struct vhdx_layer.
 */
#ifndef FERRY_DISK_VHDX_INTERNAL_H
#define FERRY_DISK_VHDX_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disk/disk.h"

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

/* Bounds.  The spec caps a disk at 64 TiB; the log and BAT bounds keep
 * what is read into memory at open modest (Hyper-V writes a 1 MiB log and
 * 32 MiB blocks, so a 64 TiB disk has a 16 MiB BAT). */
#define MAX_DISK_SIZE (64 * TiB)
#define MAX_LOG_BYTES (64 * MiB)
#define MAX_BAT_BYTES (256 * MiB)
#define MAX_FILE_SIZE (UINT64_C (1) << 62)
#define MAX_LOCATOR_ENTRIES 256u

#define BITMAP_CACHE_ENTRIES 8

/* A GUID as stored on disk: Data1 (le32), Data2 (le16), Data3 (le16),
 * then Data4 as 8 bytes. */
typedef struct { uint8_t b[16]; } vhdx_guid;

#define GUID_INIT(d1, d2, d3, a, b_, c, d, e, f, g, h)                    \
  { { (d1) & 0xff, ((d1) >> 8) & 0xff, ((d1) >> 16) & 0xff,               \
      ((uint32_t) (d1) >> 24) & 0xff, (d2) & 0xff, ((d2) >> 8) & 0xff,     \
      (d3) & 0xff, ((d3) >> 8) & 0xff, a, b_, c, d, e, f, g, h } }

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

/* ---- vhdx.c ---- */

bool vhdx_guid_equal (const vhdx_guid *a, const vhdx_guid *b);
void vhdx_guid_decode (const uint8_t *p, vhdx_guid *g);
/* "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" (37 bytes with the NUL). */
const char *vhdx_guid_format (const vhdx_guid *g, char *s, size_t len);

/* CRC-32C of buf[0..len) with the 4-byte checksum field at
 * checksum_at taken as zero. */
uint32_t vhdx_checksum (const uint8_t *buf, size_t len, size_t checksum_at);

/* Read file bytes as they are once the log is replayed. */
int vhdx_read_file (struct disk *disk, const struct vhdx_layer *l, void *buf,
                    size_t count, uint64_t offset);

/* ---- vhdx_log.c ---- */

/* Replay the log the current header names, if any, into l's overlay
 * (vfile_size, overlay, log_sectors, log_replayed). */
int vhdx_replay_log (struct disk *disk, struct vhdx_layer *l);

/* ---- vhdx_metadata.c ---- */

/* Read and check the metadata region into l (block size, disk size,
 * sector sizes, disk ID, parent locator). */
int vhdx_read_metadata (struct disk *disk, struct vhdx_layer *l);

/* The parent's file name: relative_path, else the base name of a Windows
 * path (which cannot exist here) looked up next to this file. */
int vhdx_set_backing_path (struct disk *disk, struct vhdx_layer *l);

#endif
