/* vhdgen.h: a small writer of VHD files for the tests, written from the
 * "Virtual Hard Disk Image Format Specification", for what qemu-img cannot
 * make: differencing disks with parent locators, odd creators and sizes,
 * hand-set sector bitmaps.
 *
 * Layout of what it writes (dynamic and differencing):
 *
 *   0       footer copy
 *   512     dynamic header (1024 bytes)
 *   1536    parent locator data, each padded to whole sectors
 *   ...     BAT (padded to whole sectors)           vhdgen_bat_offset()
 *   ...     allocated blocks in index order: [bitmap][data]
 *   end     footer
 *
 * A fixed disk is the guest bytes followed by the footer.  Everything is
 * built in memory, so keep the disks small (a few MiB of allocated data).
 * Errors fail the test (imagetest.h).
 */
#ifndef FERRY_TESTS_VHDGEN_H
#define FERRY_TESTS_VHDGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VHDGEN_FIXED 2u
#define VHDGEN_DYNAMIC 3u
#define VHDGEN_DIFFERENCING 4u

/* Offsets of fields, for tests that damage them. */
#define VHD_FOOTER_DATA_OFFSET 16
#define VHD_FOOTER_CREATOR_APP 28
#define VHD_FOOTER_CURRENT_SIZE 48
#define VHD_FOOTER_GEOMETRY 56
#define VHD_FOOTER_DISK_TYPE 60
#define VHD_FOOTER_CHECKSUM 64
#define VHD_FOOTER_UUID 68
#define VHD_HEADER_AT 512
#define VHD_HEADER_TABLE_OFFSET 16
#define VHD_HEADER_MAX_TABLE_ENTRIES 28
#define VHD_HEADER_BLOCK_SIZE 32
#define VHD_HEADER_CHECKSUM 36
#define VHD_HEADER_PARENT_UUID 40
#define VHD_HEADER_LOCATORS 576        /* 8 entries of 24 bytes */

struct vhdgen;

/* size in bytes (a multiple of 512); block_size ignored for fixed. */
struct vhdgen *vhdgen_new (uint32_t disk_type, uint64_t size,
                           uint32_t block_size);
void vhdgen_free (struct vhdgen *g);

/* Identity.  Defaults: UUID from vhdgen_uuid(0), creator "win ", CHS
 * geometry computed from the size as the specification's appendix says. */
void vhdgen_uuid (unsigned seed, uint8_t out[16]);
void vhdgen_set_uuid (struct vhdgen *g, const uint8_t uuid[16]);
void vhdgen_set_creator (struct vhdgen *g, const char app[4]);
void vhdgen_set_geometry (struct vhdgen *g, uint16_t cylinders, uint8_t heads,
                          uint8_t sectors);

/* Differencing disks: the parent's UUID and unicode name (UTF-8 here,
 * stored UTF-16BE), and locators.  W2ku/W2ru paths are stored UTF-16LE,
 * anything else ("MacX") as given. */
void vhdgen_set_parent (struct vhdgen *g, const uint8_t uuid[16],
                        const char *name);
void vhdgen_add_locator (struct vhdgen *g, const char code[4],
                         const char *path);

/* Guest data (offset and len multiples of 512).  vhdgen_write sets the
 * sectors' bitmap bits; vhdgen_write_unmarked stores the bytes in the
 * block but leaves the bits as they are. */
void vhdgen_write (struct vhdgen *g, uint64_t offset, const void *buf,
                   size_t len);
void vhdgen_write_unmarked (struct vhdgen *g, uint64_t offset,
                            const void *buf, size_t len);
/* Allocate the block holding offset with every bit clear (differencing:
 * all of it still comes from the parent). */
void vhdgen_allocate (struct vhdgen *g, uint64_t offset);

/* Write the file (name relative to the test directory). */
void vhdgen_save (struct vhdgen *g, const char *name);
/* After vhdgen_save: where things went. */
uint64_t vhdgen_bat_offset (const struct vhdgen *g);
uint64_t vhdgen_block_sector (const struct vhdgen *g, uint64_t block);

/* Checksums of a file patched by a test: the dynamic header at 512, the
 * footer at the end and (when it has the cookie) its copy at 0. */
void vhdgen_fix_header_checksum (const char *name);
void vhdgen_fix_footer_checksums (const char *name);

#endif
