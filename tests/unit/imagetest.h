/* imagetest.h: shared scaffolding for the image-driver unit tests.
 *
 * A test makes its images in a private temporary directory (removed at
 * exit unless FERRY_TEST_KEEP is set) with the real qemu-img / qemu-io, or
 * writes them by hand, then checks what ferry makes of them — usually by
 * comparing with what qemu-img says the guest sees.
 *
 * Every helper fails the test itself (exit 1, with a message naming the
 * file and line of the helper's caller where it can) instead of returning
 * an error.  File names given to helpers are relative to the test
 * directory unless they start with '/'.
 *
 * Exit codes: 0 pass, 1 fail, 77 skip.
 */
#ifndef FERRY_TESTS_IMAGETEST_H
#define FERRY_TESTS_IMAGETEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disk/disk.h"
#include "test.h"

/* Make the test directory; with need_qemu, SKIP (test.h) when qemu-img or
 * qemu-io is missing. */
void test_init (bool need_qemu);
const char *test_dir (void);
/* Absolute path of a file in the test directory, malloc'd: free it (the
 * sanitizer build checks the tests for leaks).  Names starting with '/'
 * are returned as they are. */
char *test_path (const char *name);

/* printf into a string that lives until the test exits (freed then, so
 * that LeakSanitizer stays quiet while tests use it inline). */
char *test_printf (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));

/* Run a shell command in the test directory; its output goes to stderr.
 * test_run fails the test unless the command exits 0; test_run_status
 * returns the exit status (-1 when it did not exit normally). */
void test_run (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
int test_run_status (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));

/* Files. */
void test_write_file (const char *name, const void *data, size_t len);
void test_write_text (const char *name, const char *text);
uint8_t *test_read_file (const char *name, size_t *len);   /* malloc'd */
void test_read_at (const char *name, uint64_t offset, void *buf, size_t len);
void test_patch (const char *name, uint64_t offset, const void *data,
                 size_t len);
void test_patch_le16 (const char *name, uint64_t offset, uint16_t v);
void test_patch_le32 (const char *name, uint64_t offset, uint32_t v);
void test_patch_le64 (const char *name, uint64_t offset, uint64_t v);
void test_patch_be16 (const char *name, uint64_t offset, uint16_t v);
void test_patch_be32 (const char *name, uint64_t offset, uint32_t v);
void test_patch_be64 (const char *name, uint64_t offset, uint64_t v);
uint16_t test_read_le16 (const char *name, uint64_t offset);
uint32_t test_read_le32 (const char *name, uint64_t offset);
uint64_t test_read_le64 (const char *name, uint64_t offset);
uint32_t test_read_be32 (const char *name, uint64_t offset);
uint64_t test_read_be64 (const char *name, uint64_t offset);
uint64_t test_file_size (const char *name);
void test_truncate (const char *name, uint64_t size);
/* Deterministic pattern without zero bytes. */
void test_fill_pattern (uint8_t *buf, size_t len, uint64_t seed);

/* Disks. */
struct disk *test_open (const char *name);   /* probed, read-only */
/* Opening must fail with a non-empty message containing want (if not
 * NULL). */
void test_expect_open_fails (const char *name, const char *format,
                             unsigned flags, const char *want);
/* Walk the whole disk by block status and read every data extent;
 * 0, or -1 with the error set. */
int test_read_everything (struct disk *disk);
/* Opening succeeds; reading the whole disk fails with want. */
void test_expect_read_fails (const char *name, const char *want);
/* Every guest byte, read with disk_pread in odd-sized pieces and again
 * extent by extent, equals `qemu-img convert -O raw` of the image;
 * format NULL = let both probe. */
void test_compare_with_qemu (const char *name, const char *format);
/* The same checks for an open disk against a raw file holding what the
 * guest must see (qemu-img's conversion, made by the caller). */
void test_compare_disk_with_raw (const char *name, struct disk *d,
                                 const char *raw);
/* Block status agrees with `qemu-img map --output=json`: the same ranges
 * hold data, at the same depth.  With exact, zero-versus-unallocated must
 * agree as well (single-layer images where qemu's answer is precise). */
void test_compare_map_with_qemu (const char *name, const char *format,
                                 bool exact);
struct extent test_status_at (struct disk *disk, uint64_t offset,
                              uint64_t length);
/* Every byte of [offset, offset + len) reads as `byte`. */
void test_expect_bytes (struct disk *disk, uint64_t offset, size_t len,
                        uint8_t byte);
/* Whether a and b read the same over [offset, offset + len). */
bool test_disks_same (struct disk *a, struct disk *b, uint64_t offset,
                      uint64_t len);

/* As test_compare_map_with_qemu, but where qemu-img says data that reads
 * as zeros ("data" and "zero" both: a hole in a flat file), ferry may say
 * EXTENT_ZERO as well as EXTENT_DATA. */
void test_compare_map_with_qemu_holes (const char *name, const char *format,
                                       bool exact);
/* Block status at offset (asked for length bytes) says `type` for
 * `want_length` bytes (0: for any length). */
void test_expect_status (struct disk *disk, uint64_t offset, uint64_t length,
                         enum extent_type type, uint64_t want_length);
/* Block status tiles the disk: asked at each offset for all the rest of
 * the disk, every answer starts at that offset and is non-empty and no
 * longer than asked. */
void test_expect_extents_tile (struct disk *disk);

#endif
