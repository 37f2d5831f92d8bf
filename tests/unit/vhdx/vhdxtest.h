/* vhdxtest.h: comparisons shared by the vhdx tests: with libvhdi (the
 * pyvhdi bindings of /usr/bin/python3), with a raw file, and small
 * checks of block status. */
#ifndef FERRY_TESTS_VHDXTEST_H
#define FERRY_TESTS_VHDXTEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "imagetest.h"
#include "vhdxgen.h"

/* Whether /usr/bin/python3 can import pyvhdi; when not, a SKIP_PART
 * (test.h). */
bool vx_have_pyvhdi (void);
/* Write what libvhdi reads from `name` to `raw`.  parents: the chain
 * below `name`, nearest first, NULL-terminated (libvhdi is given each
 * with set_parent).  Returns the exit status of the script (0 = read). */
int vx_pyvhdi_dump (const char *name, const char *raw,
                    const char *const *parents);
/* Every guest byte of `name` (opened by ferry with its chain), read in
 * odd pieces and again extent by extent, equals the file `raw`. */
void vx_compare_with_raw (const char *name, const char *raw);
/* As test_compare_with_qemu, and the same against libvhdi (a SKIP_PART
 * when pyvhdi is missing). */
void vx_compare_with_pyvhdi (const char *name, const char *const *parents);
/* Block status at offset has this type (and, if want_length, length). */
void vx_expect_status (struct disk *disk, uint64_t offset, uint64_t length,
                       enum extent_type type, uint64_t want_length);
/* Whole-file identity, for "ferry never writes". */
bool vx_files_equal (const char *a, const char *b);
/* A default generator for a dynamic disk of `size` bytes. */
struct vhdxgen *vx_gen_dynamic (uint64_t size, uint32_t block_size,
                                uint32_t logical_sector);



#ifndef VX_PARENT_GUID
/* The DataWriteGuid the tests give generated parents.  Lower case:
 * libvhdi 20210425 reads an upper-case parent_linkage as the zero GUID
 * (GUID text is case-insensitive; see test_vhdx_diff_linkage_case). */
#define VX_PARENT_GUID "{6b1e3f0a-2c4d-4e5f-8a9b-0c1d2e3f4a5b}"
#endif

/* Write parent.vhdx (generated, dynamic, 1 MiB blocks, `size` bytes,
 * every byte 0x11 except that block 3 is left unallocated) with
 * DataWriteGuid VX_PARENT_GUID. */
void vx_make_parent (const char *name, uint64_t size, uint32_t sector);
/* Options for a differencing child of such a parent. */
struct vhdxgen_options vx_child_options (uint64_t size, uint32_t sector,
                                         const char *relative_path);

/* A small generated dynamic file `name` (8 MiB, 1 MiB blocks, 512-byte
 * sectors) with blocks 0 and 2 written (0xd1, 0xd2) — the base of the
 * tests that damage one structure. */
void vx_make_small (const char *name);
/* Same, with a pending log (entries of one descriptor each, sequence
 * numbers from 500)
 * that writes the sector at 8 KiB of block 0 (0xe1) and allocates block
 * 5's BAT entry (its data, 0xe5, is in the file). */
void vx_make_small_with_log (const char *name);

#endif
