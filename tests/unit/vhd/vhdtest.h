/* vhdtest.h: helpers shared by the vhd tests, on top of imagetest.h.
 *
 * ferry calls the format "vhd" and QEMU "vpc", and neither can probe a
 * fixed VHD (its only footer is at the end), so fixed disks cannot go
 * through test_compare_with_qemu (one format name for both): these
 * helpers name each side's format.  libvhdi (pyvhdi, for /usr/bin/python3)
 * is the second, independent reader for what QEMU cannot read
 * (differencing disks).
 */
#ifndef FERRY_TESTS_VHDTEST_H
#define FERRY_TESTS_VHDTEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "imagetest.h"
#include "vhdgen.h"

/* Open as "vhd" (no probing), following the backing chain. */
struct disk *vhdtest_open (const char *name);

/* Guest bytes and block status of `name` opened as "vhd" agree with
 * `qemu-img convert -f vpc` and `qemu-img map -f vpc`.  Where QEMU says
 * "data" over a host hole of a fixed disk (it reports the file's holes as
 * data that reads as zeros), ferry may say EXTENT_ZERO. */
void vhdtest_compare_with_qemu (const char *name);

/* The whole disk through disk_pread (malloc'd, disk->size bytes). */
uint8_t *vhdtest_read_all (struct disk *d);

/* Every guest byte of d equals the file `raw` (same size). */
void vhdtest_expect_same_as_file (struct disk *d, const char *raw);

/* Convert `name` (with `parent` set as its parent when not NULL) to the
 * raw file `out` with libvhdi.  false when pyvhdi is not available (a
 * SKIP_PART, test.h).
 *
 * Two bugs of libvhdi 20210425 (the version installed) found by these
 * tests, where ferry follows the specification instead:
 *  - within one byte of a differencing disk's sector bitmap, the sectors
 *    after a set bit are read from the child whatever their own bits say
 *    (bits 0x18 read sectors 3-7 from the child, not 3-4); the
 *    specification gives every sector its own bit;
 *  - a single read that spans an allocated block with no bit set and the
 *    block after it serves the second block from the parent as well.
 * The conversion reads 64 KiB at a time (smaller than any test's block)
 * to stay clear of the second; tests that cross-check with libvhdi keep
 * runs to whole bitmap bytes to stay clear of the first. */
bool vhdtest_libvhdi_convert (const char *name, const char *parent,
                              const char *out);

/* Small chains: a 1 MiB dynamic base (64 KiB blocks, UUID
 * vhdgen_uuid(seed), every byte test_fill_pattern(seed)) and a child of
 * the same size whose only data is VHDTEST_CHILD_RUN bytes of pattern
 * `own_seed` at VHDTEST_CHILD_AT.  The caller adds locators and saves. */
#define VHDTEST_SIZE (1u << 20)
#define VHDTEST_CHILD_AT 65536u
#define VHDTEST_CHILD_RUN 4096u
void vhdtest_make_base (const char *name, unsigned seed);
struct vhdgen *vhdtest_child_new (unsigned parent_seed, unsigned own_seed);
/* Open `child` (probed), check that its backing path is `want_backing`
 * and that it reads as base `parent_seed` overlaid with the child's run. */
void vhdtest_expect_chain (const char *child, const char *want_backing,
                           unsigned parent_seed, unsigned own_seed);

#endif
