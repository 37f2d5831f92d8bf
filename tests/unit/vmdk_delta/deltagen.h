/* deltagen.h: writes ESX snapshot delta fixtures for the vmdk_delta tests.
 *
 * qemu-img reads vmfsSparse ("COWD") and seSparse deltas but cannot create
 * them, so the tests write their own, from the format descriptions (VMware
 * "Virtual Disk Format 1.1", the libyal VMDK notes, QEMU's seSparse
 * notes) and independently of the driver's code: a delta is a list of
 * grains, each unallocated (falls through to the parent), data (a
 * deterministic pattern), zero or unmapped (seSparse only; both hide the
 * parent).  Grains are stored in the file in the reverse of guest order,
 * so that file order never matches guest order by accident.
 *
 * Everything is written in the test directory (imagetest.h); every helper
 * fails the test on error.
 */
#ifndef FERRY_TESTS_VMDK_DELTAGEN_H
#define FERRY_TESTS_VMDK_DELTAGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "imagetest.h"

enum dg_kind { DG_COWD, DG_SESPARSE };
enum dg_entry { DG_UNALLOCATED, DG_DATA, DG_ZERO, DG_UNMAPPED };

struct dg_delta {
  enum dg_kind kind;
  uint64_t sectors;              /* capacity */
  uint32_t grain_sectors;        /* COWD: any; seSparse: 8 */
  uint64_t n_grains;
  uint8_t *entry;                /* enum dg_entry, per grain */
  uint64_t *seed;                /* per DATA grain */
  /* seSparse: number of the first stored grain in the grains area; start
   * near 4096 to exercise the high part of the swizzled grain number. */
  uint64_t first_grain_number;

  /* Filled by dg_write_extent, for tests that damage the file. */
  uint64_t gd_offset;            /* bytes */
  uint64_t *gt_offset;           /* bytes, per GD entry; 0 = none */
  uint64_t *grain_offset;        /* bytes, per DATA grain */
  uint64_t volatile_offset;      /* seSparse, bytes */
  uint64_t file_size;
};

/* Byte offsets of header fields, for hostile tests. */
#define DG_COWD_VERSION 4
#define DG_COWD_FLAGS 8
#define DG_COWD_NUM_SECTORS 12
#define DG_COWD_GRAIN_SIZE 16
#define DG_COWD_GD_OFFSET 20
#define DG_COWD_NUM_GD_ENTRIES 24
#define DG_COWD_GTES_PER_GT 4096u

#define DG_SE_VERSION 8
#define DG_SE_CAPACITY 16
#define DG_SE_GRAIN_SIZE 24
#define DG_SE_GT_SIZE 32
#define DG_SE_FLAGS 40
#define DG_SE_RESERVED1 48
#define DG_SE_VOLATILE_OFFSET 80
#define DG_SE_GD_OFFSET 128
#define DG_SE_GD_SIZE 136
#define DG_SE_GT_OFFSET 144
#define DG_SE_GRAINS_OFFSET 192
/* In the volatile header. */
#define DG_SE_VOLATILE_REPLAY 24
#define DG_SE_GTES_PER_GT 4096u

struct dg_delta *dg_new (enum dg_kind kind, uint64_t sectors,
                         uint32_t grain_sectors);
void dg_free (struct dg_delta *d);
/* Set grains [first, first + count) to entry; DATA grains get the pattern
 * of seed + grain index. */
void dg_set (struct dg_delta *d, uint64_t first, uint64_t count,
             enum dg_entry entry, uint64_t seed);
/* Write the extent file. */
void dg_write_extent (struct dg_delta *d, const char *name);
/* Write a delta descriptor naming extent and its parent (NULL = none). */
void dg_write_descriptor (const char *name, enum dg_kind kind,
                          uint64_t sectors, const char *extent,
                          const char *parent, uint32_t cid,
                          uint32_t parent_cid);
/* Both: desc names extent, the parent is `parent` with CID parent_cid. */
void dg_write_delta (struct dg_delta *d, const char *desc, const char *extent,
                     const char *parent, uint32_t cid, uint32_t parent_cid);
/* An ESX "vmfs" parent: descriptor and a flat file of `sectors` sectors
 * filled with the pattern of seed. */
void dg_write_flat_parent (const char *desc, const char *flat,
                           uint64_t sectors, uint32_t cid, uint64_t seed);
/* The guest bytes of delta over parent_bytes (NULL = no parent: zeros);
 * out holds d->sectors * 512 bytes. */
void dg_expected (const struct dg_delta *d, const uint8_t *parent_bytes,
                  uint8_t *out);
/* The pattern of DATA grain `grain` (grain_sectors * 512 bytes). */
void dg_grain_data (const struct dg_delta *d, uint64_t grain, uint8_t *buf);
/* Open `name` with flags (probed format), failing the test on error. */
struct disk *dg_open (const char *name, unsigned flags);
/* The CID of a VMDK as ferry reads it (fails the test if it has none). */
uint32_t dg_cid_of (const char *name);
/* Every guest byte of `name` (opened with flags) equals expected. */
void dg_expect_disk (const char *name, unsigned flags,
                     const uint8_t *expected, uint64_t size);

#endif
