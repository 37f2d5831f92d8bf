/* helpers.h: shared code for the qcow2 driver's unit tests.
 *
 * Tests make their images with the real qemu-img / qemu-io in a private
 * temporary directory (removed at exit) and cross-check what ferry reads or
 * writes against qemu-img's own view (convert -O raw, map, check, compare).
 * Exit codes: 0 pass, 1 fail, 77 skip.
 */
#ifndef FERRY_TESTS_QCOW2_HELPERS_H
#define FERRY_TESTS_QCOW2_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>
#include <signal.h>

#include <jansson.h>

#include "disk/disk.h"
#include "util/error.h"

#define FAIL(...)                                                           \
  do {                                                                      \
    fprintf (stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                   \
    fprintf (stderr, __VA_ARGS__);                                          \
    fputc ('\n', stderr);                                                   \
    exit (1);                                                               \
  } while (0)

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond))                                                            \
      FAIL ("check failed: %s (error: %s)", #cond, error_message ());       \
  } while (0)

static char test_dir[256];

static __attribute__ ((unused)) void
test_dir_remove (void)
{
  char cmd[300];

  if (test_dir[0] && getenv ("QCOW2_TEST_KEEP") == NULL) {
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", test_dir);
    if (system (cmd) != 0)
      fprintf (stderr, "could not remove %s\n", test_dir);
  }
}

/* Skip (77) unless the qemu tools are there; make the temporary dir. */
static __attribute__ ((unused)) void
test_init (void)
{
  const char *tmp = getenv ("TMPDIR");

  if (system ("qemu-img --version >/dev/null 2>&1") != 0
      || system ("qemu-io --version >/dev/null 2>&1") != 0) {
    fprintf (stderr, "SKIP: qemu-img / qemu-io not installed\n");
    exit (77);
  }
  snprintf (test_dir, sizeof test_dir, "%s/ferry-qcow2-XXXXXX",
            tmp ? tmp : "/tmp");
  if (mkdtemp (test_dir) == NULL)
    FAIL ("mkdtemp: %s", strerror (errno));
  atexit (test_dir_remove);
}

/* A path in the test directory (static storage, a few in rotation). */
static __attribute__ ((unused)) const char *
tpath (const char *name)
{
  static char bufs[8][512];
  static unsigned next;
  char *b = bufs[next++ % 8];

  snprintf (b, sizeof bufs[0], "%s/%s", test_dir, name);
  return b;
}

/* Run a shell command; returns its exit status. */
static __attribute__ ((unused, format (printf, 1, 2))) int
run (const char *fmt, ...)
{
  char *cmd;
  va_list ap;
  int r;

  va_start (ap, fmt);
  if (vasprintf (&cmd, fmt, ap) == -1)
    FAIL ("vasprintf");
  va_end (ap);
  fprintf (stderr, "+ %s\n", cmd);
  r = system (cmd);
  free (cmd);
  if (r == -1 || !WIFEXITED (r))
    return -1;
  return WEXITSTATUS (r);
}

#define RUN(...)                                                            \
  do {                                                                      \
    if (run (__VA_ARGS__) != 0)                                             \
      FAIL ("command failed");                                              \
  } while (0)

static __attribute__ ((unused)) uint8_t *
read_whole_file (const char *path, size_t *len)
{
  struct stat st;
  uint8_t *buf;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd == -1 || fstat (fd, &st) == -1)
    FAIL ("%s: %s", path, strerror (errno));
  buf = malloc (st.st_size ? st.st_size : 1);
  if (buf == NULL)
    FAIL ("malloc");
  for (size_t done = 0; done < (size_t) st.st_size;) {
    ssize_t r = pread (fd, buf + done, st.st_size - done, done);
    if (r <= 0)
      FAIL ("%s: read", path);
    done += r;
  }
  close (fd);
  *len = st.st_size;
  return buf;
}

static __attribute__ ((unused)) void
write_whole_file (const char *path, const void *buf, size_t len)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd == -1 || write (fd, buf, len) != (ssize_t) len || close (fd) == -1)
    FAIL ("%s: write: %s", path, strerror (errno));
}

/* Patch bytes of a file in place (for hostile images). */
static __attribute__ ((unused)) void
patch_file (const char *path, uint64_t offset, const void *bytes, size_t len)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd == -1 || pwrite (fd, bytes, len, offset) != (ssize_t) len)
    FAIL ("%s: pwrite: %s", path, strerror (errno));
  close (fd);
}

static __attribute__ ((unused)) void
patch_be32 (const char *path, uint64_t offset, uint32_t v)
{
  uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };
  patch_file (path, offset, b, 4);
}

static __attribute__ ((unused)) void
patch_be64 (const char *path, uint64_t offset, uint64_t v)
{
  uint8_t b[8];
  for (int i = 0; i < 8; i++)
    b[i] = v >> (56 - 8 * i);
  patch_file (path, offset, b, 8);
}

static __attribute__ ((unused)) uint64_t
read_be64_at (const char *path, uint64_t offset)
{
  uint8_t b[8];
  uint64_t v = 0;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd == -1 || pread (fd, b, 8, offset) != 8)
    FAIL ("%s: pread", path);
  close (fd);
  for (int i = 0; i < 8; i++)
    v = (v << 8) | b[i];
  return v;
}

/* Deterministic non-zero-ish pattern. */
static __attribute__ ((unused)) void
fill_pattern (uint8_t *buf, size_t len, uint64_t seed)
{
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;

  for (size_t i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    buf[i] = x | 1;
  }
}

/* Open with ferry, read every byte three ways and compare with what
 * `qemu-img convert -O raw` says the guest sees:
 *  - disk_pread in odd-sized chunks,
 *  - disk_block_status walk: DATA extents through disk_pread_layer, the
 *    others must be zeros in the reference. */
static __attribute__ ((unused)) void
compare_with_qemu (const char *image)
{
  const char *ref = tpath ("compare-ref.raw");
  size_t ref_len;
  uint8_t *expect, *got;
  struct disk *d;
  uint64_t off;

  RUN ("qemu-img convert -O raw '%s' '%s'", image, ref);
  expect = read_whole_file (ref, &ref_len);
  d = disk_open (image, NULL, 0);
  if (d == NULL)
    FAIL ("disk_open %s: %s", image, error_message ());
  if (d->size != ref_len)
    FAIL ("size %" PRIu64 " != qemu's %zu", d->size, ref_len);
  got = malloc (ref_len + 1);
  if (got == NULL)
    FAIL ("malloc");

  memset (got, 0xaa, ref_len);
  for (off = 0; off < ref_len;) {
    size_t n = ref_len - off < 777777 ? ref_len - off : 777777;
    if (disk_pread (d, got + off, n, off) == -1)
      FAIL ("disk_pread at %" PRIu64 ": %s", off, error_message ());
    off += n;
  }
  if (memcmp (got, expect, ref_len) != 0) {
    size_t i = 0;
    while (got[i] == expect[i])
      i++;
    FAIL ("%s: bytes differ from qemu-img at offset %zu", image, i);
  }

  memset (got, 0xaa, ref_len);
  for (off = 0; off < ref_len;) {
    struct extent e;
    if (disk_block_status (d, off, ref_len - off, &e) == -1)
      FAIL ("disk_block_status at %" PRIu64 ": %s", off, error_message ());
    if (e.offset != off || e.length == 0)
      FAIL ("bad extent");
    if (e.type == EXTENT_DATA) {
      if (disk_pread_layer (d, e.depth, got + off, e.length, off) == -1)
        FAIL ("disk_pread_layer at %" PRIu64 ": %s", off, error_message ());
    }
    else
      memset (got + off, 0, e.length);
    off += e.length;
  }
  if (memcmp (got, expect, ref_len) != 0)
    FAIL ("%s: extent-wise read differs from qemu-img", image);

  disk_close (d);
  free (got);
  free (expect);
}

/* Compare ferry's chain block status with `qemu-img map`: the same ranges
 * hold data; with single_layer, zero vs unallocated must match too. */
static __attribute__ ((unused)) void
compare_map_with_qemu (const char *image, bool single_layer)
{
  const char *map = tpath ("map.json");
  json_error_t jerr;
  json_t *root, *entry;
  struct disk *d;
  size_t i;

  RUN ("qemu-img map --output=json '%s' > '%s'", image, map);
  root = json_load_file (map, 0, &jerr);
  if (root == NULL || !json_is_array (root))
    FAIL ("parsing qemu-img map output: %s", jerr.text);
  d = disk_open (image, NULL, 0);
  if (d == NULL)
    FAIL ("disk_open %s: %s", image, error_message ());

  json_array_foreach (root, i, entry) {
    uint64_t start = json_integer_value (json_object_get (entry, "start"));
    uint64_t length = json_integer_value (json_object_get (entry, "length"));
    bool data = json_is_true (json_object_get (entry, "data"));
    json_t *present_j = json_object_get (entry, "present");
    bool present = present_j ? json_is_true (present_j) : true;
    uint64_t depth = json_integer_value (json_object_get (entry, "depth"));
    uint64_t off = start;

    while (off < start + length) {
      struct extent e;
      enum extent_type want;

      if (disk_block_status (d, off, start + length - off, &e) == -1)
        FAIL ("disk_block_status: %s", error_message ());
      want = data ? EXTENT_DATA
        : !single_layer ? e.type == EXTENT_DATA ? EXTENT_ZERO : e.type
        : present ? EXTENT_ZERO : EXTENT_UNALLOCATED;
      if (e.type != want)
        FAIL ("%s: offset %" PRIu64 ": ferry says type %d, qemu-img map "
              "says data=%d present=%d", image, off, e.type, data, present);
      if (data && e.depth != depth)
        FAIL ("%s: offset %" PRIu64 ": depth %u, qemu-img says %" PRIu64,
              image, off, e.depth, depth);
      off += e.length;
    }
  }
  disk_close (d);
  json_decref (root);
}

/* qemu-img check exit status: 0 clean, 2 corrupt, 3 leaks only. */
static __attribute__ ((unused)) int
qemu_img_check (const char *image)
{
  return run ("qemu-img check '%s' >&2", image);
}

/* An open that must fail with a message. */
static __attribute__ ((unused)) void
expect_open_fails (const char *image, const char *format, unsigned flags,
                   const char *must_contain)
{
  struct disk *d;

  error_clear ();
  d = disk_open (image, format, flags);
  if (d != NULL)
    FAIL ("%s: opened, but should have been refused", image);
  if (error_message ()[0] == '\0')
    FAIL ("%s: refused without an error message", image);
  fprintf (stderr, "expected error: %s\n", error_message ());
  if (must_contain && strstr (error_message (), must_contain) == NULL)
    FAIL ("error \"%s\" does not mention \"%s\"", error_message (),
          must_contain);
}

/* Read the whole disk; must fail with a message (hostile content found
 * only when reading). */
static __attribute__ ((unused)) void
expect_read_fails (const char *image, const char *must_contain)
{
  struct disk *d = disk_open (image, "qcow2", DISK_OPEN_NO_BACKING);
  uint8_t *buf;
  int r;

  if (d == NULL) {
    if (error_message ()[0] == '\0')
      FAIL ("%s: refused without an error message", image);
    fprintf (stderr, "expected error (at open): %s\n", error_message ());
    if (must_contain && strstr (error_message (), must_contain) == NULL)
      FAIL ("error \"%s\" does not mention \"%s\"", error_message (),
            must_contain);
    return;
  }
  buf = malloc (d->size);
  if (buf == NULL)
    FAIL ("malloc");
  error_clear ();
  r = disk_pread (d, buf, d->size, 0);
  if (r != -1)
    FAIL ("%s: read succeeded, but should have failed", image);
  if (error_message ()[0] == '\0')
    FAIL ("%s: read failed without an error message", image);
  fprintf (stderr, "expected error: %s\n", error_message ());
  if (must_contain && strstr (error_message (), must_contain) == NULL)
    FAIL ("error \"%s\" does not mention \"%s\"", error_message (),
          must_contain);
  free (buf);
  disk_close (d);
}

/* A qemu-io script of writes giving a varied image: data, holes, partial
 * clusters, a write at the very end. */
static __attribute__ ((unused)) void
qemu_io_pattern (const char *image, const char *fmt_opts, uint64_t size)
{
  RUN ("qemu-io %s -c 'write -P 0x11 0 4096' -c 'write -P 0x22 65536 1000' "
       "-c 'write -P 0x33 %" PRIu64 " 300000' -c 'write -P 0x44 %" PRIu64
       " 512' '%s' >/dev/null",
       fmt_opts, size / 3, size - 512, image);
}

/*----------------------------------------------------------------------
 * Writing helpers: every write/zero goes to the disk and to an in-memory
 * mirror of what the guest must see afterwards.
 */

static __attribute__ ((unused)) void
mirror_write (struct disk *d, uint8_t *mirror, uint64_t off, size_t len,
              uint64_t seed)
{
  uint8_t *buf = malloc (len ? len : 1);

  if (buf == NULL)
    FAIL ("malloc");
  fill_pattern (buf, len, seed);
  if (disk_pwrite (d, buf, len, off) == -1)
    FAIL ("disk_pwrite at %" PRIu64 " len %zu: %s", off, len,
          error_message ());
  memcpy (mirror + off, buf, len);
  free (buf);
}

static __attribute__ ((unused)) void
mirror_zero (struct disk *d, uint8_t *mirror, uint64_t off, uint64_t len)
{
  if (disk_zero (d, off, len) == -1)
    FAIL ("disk_zero at %" PRIu64 " len %" PRIu64 ": %s", off, len,
          error_message ());
  memset (mirror + off, 0, len);
}

/* A mix of writes: aligned, partial, spanning, overwrites, zeros, and a
 * run of pseudo-random ones. */
static __attribute__ ((unused)) void
mirror_write_mix (struct disk *d, uint8_t *mirror, uint64_t size,
                  uint64_t cs, uint64_t seed)
{
  uint64_t mid = size / 2 / cs * cs;
  uint64_t big = size / 8 < (3u << 20) ? size / 8 : (3u << 20);
  uint64_t x = seed | 1;

  big = big / cs * cs;
  mirror_write (d, mirror, 0, 4096 < size ? 4096 : size, seed + 1);
  mirror_write (d, mirror, cs * 3 + 100, 5000, seed + 2);
  mirror_write (d, mirror, mid, big, seed + 3);
  mirror_write (d, mirror, size - 512, 512, seed + 4);
  mirror_write (d, mirror, mid + 777, 3 * cs, seed + 5);
  mirror_zero (d, mirror, mid + cs, 4 * cs);
  mirror_zero (d, mirror, mid + 100, 300);
  mirror_zero (d, mirror, size - 8 * cs, 4 * cs);
  for (int i = 0; i < 60; i++) {
    uint64_t off, len;

    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    off = x % size;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    len = 1 + x % (200 * 1024);
    if (off + len > size)
      len = size - off;
    if (i % 7 == 3)
      mirror_zero (d, mirror, off, len);
    else
      mirror_write (d, mirror, off, len, seed + 100 + i);
  }
}

/* After writing: qemu-img check is clean, qemu-img compare agrees with
 * the mirror, and ferry reads back the same. */
static __attribute__ ((unused)) void
verify_written (const char *img, const uint8_t *mirror, uint64_t size)
{
  const char *ref = tpath ("mirror.raw");
  int r;

  write_whole_file (ref, mirror, size);
  r = qemu_img_check (img);
  if (r != 0)
    FAIL ("qemu-img check %s exited with %d", img, r);
  RUN ("qemu-img compare -f qcow2 -F raw '%s' '%s' >&2", img, ref);
  compare_with_qemu (img);
}

/* Create with ferry, write a mix, verify. */
static __attribute__ ((unused)) void
write_roundtrip (uint32_t cluster_size, uint64_t size)
{
  const char *img = tpath ("out.qcow2");
  struct disk_create_options o = { .size = size,
                                   .cluster_size = cluster_size };
  uint64_t cs = cluster_size ? cluster_size : 65536;
  uint8_t *mirror = calloc (1, size);
  struct disk *d;

  if (mirror == NULL)
    FAIL ("calloc");
  CHECK (disk_create ("qcow2", img, &o) == 0);
  if (qemu_img_check (img) != 0)
    FAIL ("fresh image does not pass qemu-img check");
  d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
  CHECK (d != NULL);
  CHECK (d->size == size);
  CHECK (d->write_align == cs);
  mirror_write_mix (d, mirror, size, cs, cluster_size);
  CHECK (disk_flush (d) == 0);
  disk_close (d);
  verify_written (img, mirror, size);
  free (mirror);
}

/* A small image with data in the first clusters, for hostile patching:
 * 4 KiB clusters, 1 MiB. */
static __attribute__ ((unused)) void
make_small_image (const char *img)
{
  RUN ("qemu-img create -q -f qcow2 -o cluster_size=4096 '%s' 1M", img);
  RUN ("qemu-io -f qcow2 -c 'write -P 0x5a 0 65536' '%s' >/dev/null", img);
}

/* Host offset of the L2 table for L1 index 0. */
static __attribute__ ((unused)) uint64_t
l2_table_offset (const char *img)
{
  uint64_t l1 = read_be64_at (img, 40);
  return read_be64_at (img, l1) & 0x00fffffffffffe00ULL;
}

#endif
