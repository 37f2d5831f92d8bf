/* qcow2test.h: what the qcow2 driver's unit tests share beyond imagetest.h:
 * images made by qemu to read or to damage, and writes mirrored in memory
 * (the mirror holds what the guest must see afterwards). */
#ifndef FERRY_TESTS_QCOW2TEST_H
#define FERRY_TESTS_QCOW2TEST_H

#include <inttypes.h>
#include <string.h>

#include "imagetest.h"

/* qemu-img check's exit status: 0 clean, 2 corrupt, 3 leaks only. */
static inline int
qt_check (const char *img)
{
  return test_run_status ("qemu-img check '%s'", img);
}

/* Ferry reads every byte as qemu-img does, and its block status tiles the
 * disk; _and_map: it also maps exactly as `qemu-img map` does. */
static inline void
qt_compare_with_qemu (const char *img)
{
  struct disk *d = test_open (img);

  test_expect_extents_tile (d);
  disk_close (d);
  test_compare_with_qemu (img, NULL);
}

static inline void
qt_compare_and_map_with_qemu (const char *img)
{
  qt_compare_with_qemu (img);
  test_compare_map_with_qemu (img, NULL, true);
}

/* qemu-io writes giving a varied image: data, holes, partial clusters, a
 * write at the very end. */
static inline void
qt_io_pattern (const char *img, const char *fmt_opts, uint64_t size)
{
  test_run ("qemu-io %s -c 'write -P 0x11 0 4096' -c 'write -P 0x22 65536 "
            "1000' -c 'write -P 0x33 %" PRIu64 " 300000' -c 'write -P 0x44 %"
            PRIu64 " 512' '%s' >/dev/null", fmt_opts, size / 3, size - 512,
            img);
}

/* test.qcow2 made by qemu-img with `-o opts` and the pattern above. */
static inline void
qt_make_pattern_image (const char *opts, uint64_t size)
{
  test_run ("qemu-img create -q -f qcow2 -o %s test.qcow2 %" PRIu64, opts,
            size);
  qt_io_pattern ("test.qcow2", "-f qcow2", size);
}

/* A read test: the pattern image with `-o opts` reads and maps as qemu's. */
static inline void
qt_read_case (const char *opts, uint64_t size)
{
  test_init (true);
  qt_make_pattern_image (opts, size);
  qt_compare_and_map_with_qemu ("test.qcow2");
}

/* A compressed read test: 8 MiB of pattern and random bytes converted with
 * `qemu-img convert -c -o opts` reads and maps as qemu's. */
static inline void
qt_read_compressed_case (const char *opts)
{
  test_init (true);
  test_run ("qemu-img create -q -f raw src.raw 8M");
  qt_io_pattern ("src.raw", "-f raw", 8 << 20);
  test_run ("head -c 1000000 /dev/urandom | dd of=src.raw bs=1 seek=3000000 "
            "conv=notrunc status=none");
  test_run ("qemu-img convert -c -f raw -O qcow2 -o %s src.raw test.qcow2",
            opts);
  qt_compare_and_map_with_qemu ("test.qcow2");
}

/* A small image for hostile patching: 4 KiB clusters, 1 MiB, data in the
 * first 64 KiB. */
#define QT_HOSTILE "hostile.qcow2"

static inline void
qt_make_small_image (const char *img)
{
  test_run ("qemu-img create -q -f qcow2 -o cluster_size=4096 '%s' 1M", img);
  test_run ("qemu-io -f qcow2 -c 'write -P 0x5a 0 65536' '%s' >/dev/null",
            img);
}

/* The small image with a big-endian field of `width` bytes (4 or 8) at
 * `offset` set to `value` is refused at open with `want`. */
static inline void
qt_expect_patch_refused (uint64_t offset, unsigned width, uint64_t value,
                         const char *want)
{
  test_init (true);
  qt_make_small_image (QT_HOSTILE);
  if (width == 8)
    test_patch_be64 (QT_HOSTILE, offset, value);
  else
    test_patch_be32 (QT_HOSTILE, offset, (uint32_t) value);
  test_expect_open_fails (QT_HOSTILE, "qcow2", 0, want);
}

/* Host offset of the L2 table for L1 index 0. */
static inline uint64_t
qt_l2_table_offset (const char *img)
{
  return test_read_be64 (img, test_read_be64 (img, 40))
    & 0x00fffffffffffe00ULL;
}

/* What qemu-img says the guest sees of img now, `size` bytes (malloc'd):
 * the starting mirror of a test writing into an existing image. */
static inline uint8_t *
qt_guest_bytes (const char *img, uint64_t size)
{
  size_t len;
  uint8_t *mirror;

  test_run ("qemu-img convert -O raw '%s' start.raw", img);
  mirror = test_read_file ("start.raw", &len);
  CHECK (len == size);
  return mirror;
}

/* disk_create of a qcow2 img with o: 0, or -1 with the error set. */
static inline int
qt_create_with (const char *img, const struct disk_create_options *o)
{
  char *path = test_path (img);
  int r = disk_create ("qcow2", path, o);

  free (path);
  return r;
}

/* Create img with ferry (cluster_size 0: the default). */
static inline void
qt_create (const char *img, uint64_t size, uint32_t cluster_size)
{
  struct disk_create_options o = { .size = size,
                                   .cluster_size = cluster_size };

  CHECK (qt_create_with (img, &o) == 0);
}

/* Open img as qcow2 with flags (DISK_OPEN_*). */
static inline struct disk *
qt_open (const char *img, unsigned flags)
{
  char *path = test_path (img);
  struct disk *d = disk_open (path, "qcow2", flags);

  if (d == NULL)
    FAIL ("disk_open %s: %s", path, error_message ());
  free (path);
  return d;
}

static inline struct disk *
qt_open_write (const char *img)
{
  return qt_open (img, DISK_OPEN_WRITE);
}

static inline void
qt_mirror_write (struct disk *d, uint8_t *mirror, uint64_t off, size_t len,
                 uint64_t seed)
{
  uint8_t *buf = malloc (len ? len : 1);

  if (buf == NULL)
    FAIL ("malloc");
  test_fill_pattern (buf, len, seed);
  if (disk_pwrite (d, buf, len, off) == -1)
    FAIL ("disk_pwrite at %" PRIu64 " len %zu: %s", off, len,
          error_message ());
  memcpy (mirror + off, buf, len);
  free (buf);
}

static inline void
qt_mirror_zero (struct disk *d, uint8_t *mirror, uint64_t off, uint64_t len)
{
  if (disk_zero (d, off, len) == -1)
    FAIL ("disk_zero at %" PRIu64 " len %" PRIu64 ": %s", off, len,
          error_message ());
  memset (mirror + off, 0, len);
}

/* A mix of writes: aligned, partial, spanning, overwrites, zeros, and a
 * run of pseudo-random ones. */
static inline void
qt_mirror_write_mix (struct disk *d, uint8_t *mirror, uint64_t size,
                     uint64_t cs, uint64_t seed)
{
  uint64_t mid = size / 2 / cs * cs;
  uint64_t big = size / 8 < (3u << 20) ? size / 8 : (3u << 20);
  uint64_t x = seed | 1;

  big = big / cs * cs;
  qt_mirror_write (d, mirror, 0, 4096 < size ? 4096 : size, seed + 1);
  qt_mirror_write (d, mirror, cs * 3 + 100, 5000, seed + 2);
  qt_mirror_write (d, mirror, mid, big, seed + 3);
  qt_mirror_write (d, mirror, size - 512, 512, seed + 4);
  qt_mirror_write (d, mirror, mid + 777, 3 * cs, seed + 5);
  qt_mirror_zero (d, mirror, mid + cs, 4 * cs);
  qt_mirror_zero (d, mirror, mid + 100, 300);
  qt_mirror_zero (d, mirror, size - 8 * cs, 4 * cs);
  for (int i = 0; i < 60; i++) {
    uint64_t off, len;

    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    off = x % size;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    len = 1 + x % (200 * 1024);
    if (off + len > size)
      len = size - off;
    if (i % 7 == 3)
      qt_mirror_zero (d, mirror, off, len);
    else
      qt_mirror_write (d, mirror, off, len, seed + 100 + i);
  }
}

/* After writing: qemu-img check is clean, qemu-img compare agrees with the
 * mirror, and ferry reads back the same. */
static inline void
qt_verify_written (const char *img, const uint8_t *mirror, uint64_t size)
{
  int r;

  test_write_file ("mirror.raw", mirror, size);
  r = qt_check (img);
  if (r != 0)
    FAIL ("qemu-img check %s exited with %d", img, r);
  test_run ("qemu-img compare -f qcow2 -F raw '%s' mirror.raw", img);
  qt_compare_with_qemu (img);
}

/* A write test: create with ferry (cluster_size 0 = the default), write
 * the mix, verify. */
static inline void
qt_write_case (uint32_t cluster_size, uint64_t size)
{
  uint64_t cs = cluster_size ? cluster_size : 65536;
  uint8_t *mirror;
  struct disk *d;

  test_init (true);
  mirror = calloc (1, size);
  if (mirror == NULL)
    FAIL ("calloc");
  qt_create ("out.qcow2", size, cluster_size);
  if (qt_check ("out.qcow2") != 0)
    FAIL ("fresh image does not pass qemu-img check");
  d = qt_open_write ("out.qcow2");
  CHECK (d->size == size);
  CHECK (d->write_align == cs);
  qt_mirror_write_mix (d, mirror, size, cs, cluster_size);
  CHECK (disk_flush (d) == 0);
  disk_close (d);
  qt_verify_written ("out.qcow2", mirror, size);
  free (mirror);
}

#endif
