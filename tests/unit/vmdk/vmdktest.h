/* vmdktest.h: what the vmdk driver's unit tests share beyond imagetest.h:
 * sparse-header fields, the embedded descriptor, locating grain tables and
 * their entries, and the two images several tests start from. */
#ifndef FERRY_TESTS_VMDKTEST_H
#define FERRY_TESTS_VMDKTEST_H

#include <inttypes.h>
#include <string.h>

#include "disk/vmdk.h"
#include "imagetest.h"

/* Sparse header fields (byte offsets in the first sector). */
#define VT_HDR_FLAGS 8
#define VT_HDR_CAPACITY 12
#define VT_HDR_GRAIN_SIZE 20
#define VT_HDR_DESC_OFFSET 28
#define VT_HDR_DESC_SIZE 36
#define VT_HDR_GTES_PER_GT 44
#define VT_HDR_RGD_OFFSET 48
#define VT_HDR_GD_OFFSET 56

/* The embedded descriptor text of a sparse file (malloc'd, NUL-ended). */
static inline char *
vt_read_embedded_descriptor (const char *name)
{
  uint64_t at = test_read_le64 (name, VT_HDR_DESC_OFFSET) * 512;
  uint64_t room = test_read_le64 (name, VT_HDR_DESC_SIZE) * 512;
  char *buf = calloc (1, room + 1);

  if (buf == NULL)
    FAIL ("calloc");
  test_read_at (name, at, buf, room);
  return buf;
}

/* Replace the embedded descriptor (zero padded). */
static inline void
vt_rewrite_embedded_descriptor (const char *name, const char *text)
{
  uint64_t at = test_read_le64 (name, VT_HDR_DESC_OFFSET) * 512;
  uint64_t room = test_read_le64 (name, VT_HDR_DESC_SIZE) * 512;
  char *buf;

  if (at == 0 || strlen (text) >= room)
    FAIL ("%s: no room for the new descriptor", name);
  buf = calloc (1, room);
  if (buf == NULL)
    FAIL ("calloc");
  memcpy (buf, text, strlen (text));
  test_patch (name, at, buf, room);
  free (buf);
}

/* Replace the first occurrence of `from` in the embedded descriptor. */
static inline void
vt_descriptor_replace (const char *name, const char *from, const char *to)
{
  char *text = vt_read_embedded_descriptor (name);
  char *hit = strstr (text, from);
  char *out;

  if (hit == NULL)
    FAIL ("%s: \"%s\" not in the descriptor", name, from);
  if (asprintf (&out, "%.*s%s%s", (int) (hit - text), text, to,
                hit + strlen (from)) == -1)
    FAIL ("asprintf");
  vt_rewrite_embedded_descriptor (name, out);
  free (text);
  free (out);
}

/* The 8 hex digits following `key=` in the embedded descriptor. */
static inline uint32_t
vt_descriptor_cid (const char *name, const char *key)
{
  char *text = vt_read_embedded_descriptor (name);
  char *hit = strstr (text, key);
  uint32_t v;

  if (hit == NULL || sscanf (hit + strlen (key), "%8" SCNx32, &v) != 1)
    FAIL ("%s: no %s in the descriptor", name, key);
  free (text);
  return v;
}

/* File offset of the GD entry of grain table `gt`. */
static inline uint64_t
vt_gd_entry_location (const char *name, uint64_t gt)
{
  return test_read_le64 (name, VT_HDR_GD_OFFSET) * 512 + 4 * gt;
}

/* File offset of the GTE of guest grain `grain` (its value via *gte), or
 * 0 when its grain table is absent. */
static inline uint64_t
vt_gte_location (const char *name, uint64_t grain, uint32_t *gte)
{
  uint32_t per_gt = test_read_le32 (name, VT_HDR_GTES_PER_GT);
  uint32_t gt = test_read_le32 (name,
                                vt_gd_entry_location (name, grain / per_gt));
  uint64_t at;

  if (gt == 0)
    return 0;
  at = (uint64_t) gt * 512 + 4 * (grain % per_gt);
  *gte = test_read_le32 (name, at);
  return at;
}

/* The sector of grain `grain`'s data (or marker), which must be allocated:
 * its GTE is more than 1. */
static inline uint64_t
vt_grain_sector (const char *name, uint64_t grain)
{
  uint32_t gte;

  CHECK (vt_gte_location (name, grain, &gte) != 0 && gte > 1);
  return gte;
}

/* A two-layer snapshot chain: base.vmdk (0xaa at 1 MiB, 128 KiB; 0xbb at
 * 4 MiB, 64 KiB) and its child child.vmdk (0xcc at 1 MiB + 64 KiB,
 * 64 KiB), the child created with `child_options`. */
static inline void
vt_make_chain (const char *child_options)
{
  test_run ("qemu-img create -f vmdk base.vmdk 16M");
  test_run ("qemu-io -f vmdk -c 'write -P 0xaa 1M 128k' "
            "-c 'write -P 0xbb 4M 64k' base.vmdk");
  test_run ("qemu-img create -f vmdk -b base.vmdk -F vmdk %s child.vmdk",
            child_options);
  test_run ("qemu-io -f vmdk -c 'write -P 0xcc 1088k 64k' child.vmdk");
}

/* A streamOptimized image: 10 MiB, data at 1 MiB (64 KiB of 0xab) and
 * 5 MiB (100 KiB of 0xcd), made by qemu-img convert (qemu-io cannot write
 * this subformat). */
static inline void
vt_make_stream (const char *name)
{
  test_run ("qemu-img create -f qcow2 '%s.src' 10M", name);
  test_run ("qemu-io -f qcow2 -c 'write -P 0xab 1M 64k' "
            "-c 'write -P 0xcd 5M 100k' '%s.src'", name);
  test_run ("qemu-img convert -O vmdk -o subformat=streamOptimized '%s.src' "
            "'%s'", name, name);
}

/* Move the image's GD offset to a footer at the end of the file, as
 * VMware's streaming writers do: header gdOffset = GD_AT_END, then a
 * footer marker, a copy of the header with the real GD offset and an
 * end-of-stream marker. */
static inline void
vt_stream_move_gd_to_footer (const char *name)
{
  uint8_t tail[3 * 512] = { 0 };
  uint64_t size = (test_file_size (name) + 511) / 512 * 512;

  tail[0] = 1;                  /* the footer is one sector */
  tail[12] = 3;                 /* footer marker type */
  test_read_at (name, 0, tail + 512, 512);
  test_patch (name, size, tail, sizeof tail);
  test_patch_le64 (name, VT_HDR_GD_OFFSET, UINT64_MAX);
}

/* A descriptor file `name` holding `text` is refused at open with `want`. */
static inline void
vt_expect_descriptor_refused (const char *name, const char *text,
                              const char *want)
{
  test_write_text (name, text);
  test_expect_open_fails (name, NULL, 0, want);
}

/* Reads like qemu-img, byte for byte and in its allocation map. */
static inline void
vt_compare_and_map_with_qemu (const char *name)
{
  test_compare_with_qemu (name, NULL);
  test_compare_map_with_qemu (name, NULL, false);
}

#endif
