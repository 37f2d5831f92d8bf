/* qcow2_internal.h: the qcow2 driver's private view of an open image,
 * shared by the files that make up the driver.  Nothing outside
 * src/disk/qcow2*.c includes it.  The write model and the order in which
 * metadata reaches the disk are described at the top of qcow2.c.
 */
#ifndef FERRY_DISK_QCOW2_INTERNAL_H
#define FERRY_DISK_QCOW2_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zstd.h>

#include "disk/disk.h"

#define QCOW2_MAGIC 0x514649fbU
#define QCOW2_V2_HEADER_LENGTH 72
#define QCOW2_V3_MIN_HEADER_LENGTH 104
#define QCOW2_CREATE_HEADER_LENGTH 112

#define QCOW2_INCOMPAT_DIRTY       (1ULL << 0)
#define QCOW2_INCOMPAT_CORRUPT     (1ULL << 1)
#define QCOW2_INCOMPAT_DATA_FILE   (1ULL << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ULL << 3)
#define QCOW2_INCOMPAT_EXTENDED_L2 (1ULL << 4)
#define QCOW2_INCOMPAT_KNOWN       0x1fULL
#define QCOW2_COMPAT_LAZY_REFCOUNTS (1ULL << 0)

#define QCOW2_EXT_END            0U
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acaU
#define QCOW2_EXT_FEATURE_TABLE  0x6803f857U

#define QCOW2_COMPRESSION_ZLIB 0
#define QCOW2_COMPRESSION_ZSTD 1

/* L1 and L2 entries. */
#define QCOW2_OFLAG_COPIED     (1ULL << 63)
#define QCOW2_OFLAG_COMPRESSED (1ULL << 62)
#define QCOW2_OFLAG_ZERO       1ULL
#define QCOW2_OFFSET_MASK      0x00fffffffffffe00ULL       /* bits 9-55 */
#define QCOW2_REFTABLE_MASK    0xfffffffffffffe00ULL       /* bits 9-63 */

#define QCOW2_SUBCLUSTERS 32

/* Limits on what a hostile header can make us allocate. */
#define QCOW2_MAX_L1_BYTES       (32u << 20)
#define QCOW2_MAX_REFTABLE_BYTES (64u << 20)
#define QCOW2_CREATE_MAX_REFTABLE_BYTES (8u << 20)
#define QCOW2_MAX_BACKING_NAME   1023
#define QCOW2_L2_CACHE_BYTES     (32u << 20)
#define QCOW2_L2_CACHE_MIN       16
#define QCOW2_L2_CACHE_MAX       1024
#define QCOW2_DCTX_POOL          4
#define QCOW2_ZSTD_WINDOW_LOG_MAX 23

struct qcow2_header {
  uint32_t version;
  uint64_t backing_file_offset;
  uint32_t backing_file_size;
  uint32_t cluster_bits;
  uint64_t size;
  uint32_t crypt_method;
  uint32_t l1_size;
  uint64_t l1_table_offset;
  uint64_t refcount_table_offset;
  uint32_t refcount_table_clusters;
  uint32_t nb_snapshots;
  uint64_t incompatible_features;
  uint64_t compatible_features;
  uint64_t autoclear_features;
  uint32_t refcount_order;
  uint32_t header_length;
  uint8_t compression_type;
};

/* One cached L2 table, entries in host byte order (two words per entry
 * with extended L2). */
struct qcow2_l2 {
  uint64_t *entries;
  uint32_t l1_index;
  bool dirty;
  bool referenced;
};

struct qcow2 {
  /* Fixed after open. */
  struct qcow2_header h;
  uint64_t cluster_size;
  unsigned l2_bits;             /* log2 of entries per L2 table */
  unsigned entry_words;         /* 64-bit words per L2 entry */
  bool extended_l2;
  unsigned compressed_offset_bits;   /* "x" in the spec */
  unsigned refblock_bits;       /* log2 of refcounts per refcount block */

  pthread_mutex_t lock;         /* protects everything below */
  uint64_t file_size;           /* grows with allocation when writable */
  uint64_t *l1;                 /* host byte order */
  bool l1_dirty;
  uint32_t l1_dirty_lo, l1_dirty_hi;     /* inclusive range */
  struct qcow2_l2 **l2_by_index;         /* [l1_size] */
  struct qcow2_l2 **slots;               /* cache slots, CLOCK order */
  size_t n_slots, hand;
  ZSTD_DCtx *dctx_pool[QCOW2_DCTX_POOL];
  size_t n_dctx;

  /* Writable only. */
  uint64_t next_free;           /* first host byte never allocated */
  uint64_t *reftable;           /* host byte order */
  uint64_t reftable_entries;
  uint64_t reftable_offset;
  uint32_t reftable_clusters;
  bool reftable_dirty;
  uint8_t **refblocks;          /* [reftable_entries], big-endian u16s */
  bool *refblock_dirty;
  bool header_dirty;            /* the refcount table moved */
  bool old_reftable_pending;    /* free the on-disk table once replaced */
  bool sync_failed;             /* see qcow2_sync */
  uint64_t old_reftable_offset;
  uint32_t old_reftable_clusters;
};

/* qcow2.c */
int qcow2_write_host (struct disk *disk, const void *buf, size_t count,
                      uint64_t offset);
int qcow2_flush_locked (struct disk *disk);
int qcow2_sync (struct disk *disk);

/* qcow2_header.c */
void qcow2_parse_header (const uint8_t *b, struct qcow2_header *h);
int qcow2_parse_extensions (struct disk *disk, const uint8_t *buf, size_t len,
                            char *unknown_feature, size_t unknown_size);
int qcow2_check_header (struct disk *disk, const struct qcow2_header *h,
                        uint64_t file_size);
int qcow2_create (const char *path, const struct disk_create_options *opts);

/* qcow2_l2.c */
void qcow2_l2_free (struct qcow2_l2 *t);
int qcow2_l2_get (struct disk *disk, uint32_t l1_index, bool allocate,
                  struct qcow2_l2 **out);
int qcow2_write_l2 (struct disk *disk, struct qcow2_l2 *t, uint64_t *scratch);
int qcow2_write_l1 (struct disk *disk);

/* qcow2_refcount.c */
int qcow2_open_for_writing (struct disk *disk);
int qcow2_refcount_set (struct disk *disk, uint64_t cluster, uint16_t value);
int qcow2_alloc_clusters (struct disk *disk, uint64_t n, uint64_t *host);
int qcow2_write_refblocks (struct disk *disk, bool *wrote);
int qcow2_write_reftable (struct disk *disk);

#endif /* FERRY_DISK_QCOW2_INTERNAL_H */
