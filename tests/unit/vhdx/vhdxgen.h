/* vhdxgen.h: a VHDX writer for the tests, for what qemu-img cannot make.
 *
 * Written from [MS-VHDX], independently of the driver (its own CRC-32C,
 * its own GUID handling), so that a misreading of the spec in one is not
 * silently shared by the other.  Makes fixed, dynamic and differencing
 * files with 512- or 4096-byte logical sectors, PARTIALLY_PRESENT blocks
 * with sector bitmaps, any BAT state, and files whose last changes exist
 * only in a pending log.
 *
 * The whole file is built in memory (tests keep them to a few MiB):
 *
 *    0        file type identifier
 *    64 KiB   header 1, 128 KiB header 2 (sequence 1 and 2: 2 is current)
 *    192 KiB  region table, 256 KiB its copy
 *    1 MiB    log (1 MiB)
 *    2 MiB    metadata region (1 MiB)
 *    3 MiB    BAT region (whole MiBs)
 *    then     payload and sector bitmap blocks, in allocation order
 *
 * File names are relative to the test directory (see imagetest.h).
 * Every helper fails the test (exit 1) on error.
 */
#ifndef FERRY_TESTS_VHDXGEN_H
#define FERRY_TESTS_VHDXGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VHDXGEN_MiB (UINT64_C (1) << 20)
#define VHDXGEN_LOG_OFFSET (1 * VHDXGEN_MiB)
#define VHDXGEN_LOG_LENGTH (1 * VHDXGEN_MiB)
#define VHDXGEN_METADATA_OFFSET (2 * VHDXGEN_MiB)
#define VHDXGEN_BAT_OFFSET (3 * VHDXGEN_MiB)
#define VHDXGEN_HEADER1 (64 * 1024)
#define VHDXGEN_HEADER2 (128 * 1024)
#define VHDXGEN_REGION1 (192 * 1024)
#define VHDXGEN_REGION2 (256 * 1024)

/* BAT states. */
#define VHDXGEN_NOT_PRESENT 0
#define VHDXGEN_UNDEFINED 1
#define VHDXGEN_ZERO 2
#define VHDXGEN_UNMAPPED 3
#define VHDXGEN_FULLY_PRESENT 6
#define VHDXGEN_PARTIALLY_PRESENT 7

struct vhdxgen_options {
  uint64_t size;                /* virtual size in bytes */
  uint32_t block_size;          /* 0 = 1 MiB */
  uint32_t logical_sector;      /* 0 = 512 */
  uint32_t physical_sector;     /* 0 = 4096 */
  bool fixed;                   /* allocate every block, LeaveBlocksAllocated */
  /* Differencing: has_parent and the locator's entries (NULL = absent). */
  bool has_parent;
  const char *parent_linkage;   /* "{GUID}" */
  const char *parent_linkage2;
  const char *relative_path;
  const char *absolute_win32_path;
  const char *volume_path;
  /* This file's DataWriteGuid as "{GUID}"; NULL = derived from `seed`. */
  const char *data_write_guid;
  unsigned seed;
};

struct vhdxgen;

struct vhdxgen *vhdxgen_new (const struct vhdxgen_options *opts);
void vhdxgen_free (struct vhdxgen *g);

/* Guest data.  vhdxgen_write allocates blocks as needed: in a
 * differencing file a block written only in part becomes
 * PARTIALLY_PRESENT with the written sectors' bits set (offset and length
 * must then be multiples of the logical sector size); otherwise the block
 * becomes FULLY_PRESENT with zeros around the data. */
void vhdxgen_write (struct vhdxgen *g, uint64_t offset, const void *buf,
                    size_t len);
void vhdxgen_fill (struct vhdxgen *g, uint64_t offset, size_t len,
                   uint8_t byte);
/* Set a payload block's state directly (for NOT_PRESENT, UNDEFINED, ZERO,
 * UNMAPPED the block's file offset is cleared). */
void vhdxgen_set_state (struct vhdxgen *g, uint64_t block, unsigned state);
/* The block's BAT index and the file offset of its data (0 = none). */
uint64_t vhdxgen_bat_index (const struct vhdxgen *g, uint64_t block);
uint64_t vhdxgen_block_file_offset (const struct vhdxgen *g, uint64_t block);

/* Raw BAT entries (state in bits 0-2, FileOffsetMB in bits 20-63). */
uint64_t vhdxgen_get_bat_entry (const struct vhdxgen *g, uint64_t index);
void vhdxgen_set_bat_entry (struct vhdxgen *g, uint64_t index,
                            uint64_t entry);

/* Write the file as it stands. */
void vhdxgen_save (struct vhdxgen *g, const char *path);

/* Pending log.  vhdxgen_checkpoint remembers the file as it stands (as if
 * flushed to disk); vhdxgen_save_with_log then writes that remembered file,
 * plus a log holding every 4 KiB sector changed since (all-zero sectors
 * as "zero" descriptors, others as data descriptors), split into entries
 * of at most `max_descriptors` descriptors, and a header whose LogGuid
 * asks for replay.  Space allocated since the checkpoint is not in the
 * file: the log's LastFileOffset covers it.  `first_sequence` is the
 * first entry's sequence number. */
void vhdxgen_checkpoint (struct vhdxgen *g);
void vhdxgen_save_with_log (struct vhdxgen *g, const char *path,
                            unsigned max_descriptors,
                            uint64_t first_sequence);

/* Read the current header's DataWriteGuid of any VHDX file as "{GUID}"
 * (out holds 39 bytes). */
void vhdxgen_read_data_write_guid (const char *path, char *out);

/* Recompute checksums after a test patched a structure. */
void vhdxgen_fix_header_checksum (const char *path, uint64_t header_offset);
void vhdxgen_fix_region_checksum (const char *path, uint64_t table_offset);
/* entry_offset is the file offset of a log entry; its length is read from
 * the entry. */
void vhdxgen_fix_log_entry_checksum (const char *path, uint64_t entry_offset);

/* CRC-32C as the spec computes it (the checksum field zeroed). */
uint32_t vhdxgen_crc32c (const uint8_t *buf, size_t len, size_t checksum_at);

#endif
