/* vmdk_extent.h: the VMDK driver's private view of an open layer and its
 * extents, shared by vmdk.c (descriptor, dispatch, hosted sparse, flat),
 * vmdk_grain.c (the grain-table walk of every sparse kind) and one file per
 * ESX delta kind (vmdk_cowd.c, vmdk_sesparse.c).
 *
 * Every grain-table extent kind (hosted sparse "KDMV", ESX vmfsSparse
 * "COWD", ESX seSparse) is the same two-level map once open:
 *
 *    guest offset -> grain -> grain table (GT) -> grain table entry (GTE)
 *
 * The kind-specific open fills the geometry (grain_bytes, gtes_per_gt,
 * gte_size) and gt_offsets[] (where each GT lives, every one checked to lie
 * inside the file); the GTs are read on demand by vmdk_grain.c into a
 * cache of raw entries, and each entry is decoded by the kind's decode
 * function, which checks what it points to.  Nothing here ever writes.
 */
#ifndef FERRY_DISK_VMDK_EXTENT_H
#define FERRY_DISK_VMDK_EXTENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "disk/disk.h"
#include "disk/vmdk.h"
#include "util/checked.h"
#include "util/endian.h"
#include "util/io.h"

#define VMDK_SECTOR 512u

#define VMDK_SPARSE_MAGIC 0x564d444bu      /* "KDMV" little-endian */
#define VMDK_COWD_MAGIC 0x44574f43u        /* "COWD": ESX vmfsSparse */
#define VMDK_SESPARSE_MAGIC UINT64_C (0x00000000cafebabe)

/* Bounds shared by every grain-table kind: they leave room for any real
 * writer while keeping every allocation small. */
#define VMDK_MAX_GRAIN_SECTORS 4096u                  /* 2 MiB */
#define VMDK_MAX_GTES_PER_GT 65536u
#define VMDK_MAX_CAPACITY_SECTORS (UINT64_C (1) << 40)  /* 512 TiB */
#define VMDK_MAX_GD_ENTRIES (UINT64_C (16) << 20)

#define VMDK_GT_CACHE_ENTRIES 16

struct vmdk_gt_cache_entry {
  uint64_t index;
  uint64_t *gtes;              /* raw entries, widened; NULL = empty slot */
};

/* One decoded GTE. */
struct vmdk_grain {
  enum extent_type type;       /* DATA, ZERO or UNALLOCATED */
  uint64_t offset;             /* DATA: byte offset of the grain in the file */
};

struct vmdk_extent {
  /* SPARSE, VMFSSPARSE, SESPARSE, FLAT, VMFS or ZERO once open: the
   * grain-table kinds are named after what the file holds. */
  enum vmdk_extent_type type;
  enum vmdk_access access;
  uint64_t start;              /* guest offset, bytes */
  uint64_t length;             /* bytes */
  char *filename;              /* as written in the descriptor */
  char *path;                  /* resolved; NULL for ZERO */
  int fd;                      /* -1 for ZERO */
  bool own_fd;                 /* false when it is the layer's own fd */
  struct disk *layer;          /* the layer, when !own_fd: its main file is
                                  read through the layer's window */
  uint64_t file_size;

  /* FLAT / VMFS */
  uint64_t file_offset;        /* bytes */

  /* Grain-table kinds */
  uint32_t version;
  uint32_t flags;
  bool compressed;             /* SPARSE only */
  uint64_t capacity;           /* bytes */
  uint64_t grain_bytes;
  uint32_t gtes_per_gt;
  unsigned gte_size;           /* 4 or 8 bytes on disk */
  uint64_t gt_bytes;           /* one GT on disk */
  uint64_t *gt_offsets;        /* per GD entry: byte offset of the GT, 0 = none */
  uint64_t gd_entries;
  struct vmdk_gt_cache_entry gt_cache[VMDK_GT_CACHE_ENTRIES];
  unsigned gt_cache_next;
  uint64_t grain_cache_index;
  uint8_t *grain_cache;        /* one inflated grain, or NULL */

  /* VMFSSPARSE */
  uint64_t cowd_first_data;    /* bytes: grains never start before this */

  /* SESPARSE */
  uint64_t se_grains_offset;   /* bytes */
};

struct vmdk_layer {
  struct vmdk_descriptor desc;
  struct vmdk_extent *extents;
  size_t n_extents;
  pthread_mutex_t lock;        /* GT caches and grain caches of every extent */
};

/* Read from an extent's file: the layer's own file goes through
 * disk_file_pread (its window, and the fault-injection seam), a separate
 * extent file is read whole. */
static inline int
vmdk_extent_pread (const struct vmdk_extent *ext, void *buf, size_t count,
                   uint64_t offset)
{
  if (ext->layer)
    return disk_file_pread (ext->layer, buf, count, offset);
  return io_pread_full (ext->fd, buf, count, offset, ext->path);
}

/* Whether [offset, offset + bytes) lies inside a file of file_size bytes. */
static inline bool
vmdk_range_fits (uint64_t offset, uint64_t bytes, uint64_t file_size)
{
  uint64_t end;

  return !checked_add (offset, bytes, &end) && end <= file_size;
}

/* Whether [sector * 512, + bytes) lies inside a file of file_size bytes. */
static inline bool
vmdk_sectors_fit (uint64_t sector, uint64_t bytes, uint64_t file_size)
{
  uint64_t end;

  return !checked_mul_add (sector, VMDK_SECTOR, bytes, &end)
    && end <= file_size;
}

/* Bytes of grain `grain` that lie inside the extent's capacity. */
static inline uint64_t
vmdk_grain_valid_bytes (const struct vmdk_extent *ext, uint64_t grain)
{
  uint64_t start = grain * ext->grain_bytes;
  return min_u64 (ext->grain_bytes, ext->capacity - start);
}

/* Number of GTs needed to cover ext->capacity (geometry already set). */
static inline uint64_t
vmdk_gts_needed (const struct vmdk_extent *ext)
{
  uint64_t cover = ext->grain_bytes * ext->gtes_per_gt;  /* <= 2^37 */
  return (ext->capacity + cover - 1) / cover;
}

/* vmdk.c: read a GD of ext->gd_entries 32-bit sector numbers at byte
 * gd_offset into ext->gt_offsets, checking that every GT (ext->gt_bytes)
 * lies inside the file and not below min_gt_offset. */
int vmdk_load_gd32 (struct vmdk_extent *ext, uint64_t gd_offset,
                    uint64_t min_gt_offset);

/* vmdk_grain.c: block status at rel of the extent ([rel, rel + length)
 * inside it): the type of the grain there and how far it runs (a bounded
 * number of grains are merged).  0, or -1 with the error set. */
int vmdk_grain_block_status (struct vmdk_layer *l, struct vmdk_extent *ext,
                             uint64_t rel, uint64_t length,
                             struct extent *out);
/* vmdk_grain.c: read count bytes at rel of the extent; unallocated and
 * zeroed grains read as zeros.  0, or -1 with the error set. */
int vmdk_grain_pread (struct vmdk_layer *l, struct vmdk_extent *ext,
                      uint8_t *buf, size_t count, uint64_t rel);

/* vmdk_cowd.c: ESX vmfsSparse ("COWD") extents.  Open checks the header
 * and loads the GD (ext->fd, ->path, ->file_size set). */
int vmdk_cowd_open (struct vmdk_extent *ext);
int vmdk_cowd_decode (const struct vmdk_extent *ext, uint64_t grain,
                      uint64_t gte, struct vmdk_grain *out);

/* vmdk_sesparse.c: ESX seSparse extents. */
bool vmdk_sesparse_probe (const uint8_t *buf, size_t len);
int vmdk_sesparse_open (struct vmdk_extent *ext);
int vmdk_sesparse_decode (const struct vmdk_extent *ext, uint64_t grain,
                          uint64_t gte, struct vmdk_grain *out);

#endif
