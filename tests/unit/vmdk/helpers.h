/* helpers.h: shared scaffolding for the vmdk unit tests.
 *
 * Each test makes its images in a fresh temporary directory (removed at
 * exit) with the real qemu-img / qemu-io, or writes them by hand, then
 * checks what ferry's vmdk driver makes of them.  Tests exit 0 (pass),
 * 1 (fail) or 77 (skip, e.g. qemu-img is missing).
 */
#ifndef FERRY_TESTS_VMDK_HELPERS_H
#define FERRY_TESTS_VMDK_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "disk/disk.h"
#include "disk/vmdk.h"
#include "util/error.h"

#define FAIL(...)                                                       \
  do {                                                                  \
    fprintf (stderr, "FAIL %s:%d: ", __FILE__, __LINE__);               \
    fprintf (stderr, __VA_ARGS__);                                      \
    fputc ('\n', stderr);                                               \
    exit (1);                                                           \
  } while (0)

#define SKIP(...)                                                       \
  do {                                                                  \
    fprintf (stderr, "SKIP: ");                                         \
    fprintf (stderr, __VA_ARGS__);                                      \
    fputc ('\n', stderr);                                               \
    exit (77);                                                          \
  } while (0)

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond))                                                        \
      FAIL ("check failed: %s (last error: %s)", #cond, error_message ()); \
  } while (0)

static char th_dir[PATH_MAX];

static inline int
th_rm (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st; (void) flag; (void) ftw;
  return remove (path);
}

static inline void
th_cleanup (void)
{
  if (th_dir[0] && getenv ("VMDK_TEST_KEEP") == NULL)
    nftw (th_dir, th_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* Make the temporary directory.  need_qemu: skip when qemu-img is absent. */
static inline void
th_init (bool need_qemu)
{
  const char *tmp = getenv ("TMPDIR");

  if (need_qemu
      && (system ("qemu-img --version >/dev/null 2>&1") != 0
          || system ("qemu-io --version >/dev/null 2>&1") != 0))
    SKIP ("qemu-img or qemu-io is not installed");
  snprintf (th_dir, sizeof th_dir, "%s/ferry-vmdk-XXXXXX",
            tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp (th_dir) == NULL)
    FAIL ("mkdtemp: %s", strerror (errno));
  atexit (th_cleanup);
}

/* Path of a file in the test directory (leaked: tests are short). */
static inline char *
th_path (const char *name)
{
  char *p;

  if (asprintf (&p, "%s/%s", th_dir, name) == -1)
    FAIL ("asprintf");
  return p;
}

/* Run a shell command in the test directory; fail the test if it fails. */
__attribute__ ((format (printf, 1, 2)))
static inline void
th_run (const char *fmt, ...)
{
  char *cmd, *full;
  va_list ap;
  int r;

  va_start (ap, fmt);
  if (vasprintf (&cmd, fmt, ap) == -1)
    FAIL ("vasprintf");
  va_end (ap);
  if (asprintf (&full, "cd '%s' && { %s ; } >cmd.log 2>&1", th_dir, cmd)
      == -1)
    FAIL ("asprintf");
  r = system (full);
  if (r != 0) {
    char *show;
    if (asprintf (&show, "cat '%s/cmd.log' >&2", th_dir) != -1)
      (void) system (show);
    FAIL ("command failed (status %d): %s", r, cmd);
  }
  free (cmd);
  free (full);
}

static inline void
th_write_file (const char *name, const void *data, size_t len)
{
  char *p = th_path (name);
  FILE *fp = fopen (p, "w");

  if (fp == NULL || fwrite (data, 1, len, fp) != len || fclose (fp) != 0)
    FAIL ("writing %s: %s", p, strerror (errno));
  free (p);
}

static inline void
th_write_text (const char *name, const char *text)
{
  th_write_file (name, text, strlen (text));
}

/* Overwrite bytes of an existing file. */
static inline void
th_patch (const char *name, uint64_t offset, const void *data, size_t len)
{
  char *p = th_path (name);
  int fd = open (p, O_WRONLY | O_CLOEXEC);

  if (fd == -1 || pwrite (fd, data, len, (off_t) offset) != (ssize_t) len)
    FAIL ("patching %s: %s", p, strerror (errno));
  close (fd);
  free (p);
}

static inline void
th_patch_le32 (const char *name, uint64_t offset, uint32_t v)
{
  uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };
  th_patch (name, offset, b, 4);
}

static inline void
th_patch_le64 (const char *name, uint64_t offset, uint64_t v)
{
  th_patch_le32 (name, offset, (uint32_t) v);
  th_patch_le32 (name, offset + 4, (uint32_t) (v >> 32));
}

static inline void
th_read_at (const char *name, uint64_t offset, void *buf, size_t len)
{
  char *p = th_path (name);
  int fd = open (p, O_RDONLY | O_CLOEXEC);

  if (fd == -1 || pread (fd, buf, len, (off_t) offset) != (ssize_t) len)
    FAIL ("reading %s: %s", p, strerror (errno));
  close (fd);
  free (p);
}

static inline uint32_t
th_read_le32 (const char *name, uint64_t offset)
{
  uint8_t b[4];
  th_read_at (name, offset, b, 4);
  return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t) b[3] << 24;
}

static inline uint64_t
th_read_le64 (const char *name, uint64_t offset)
{
  return th_read_le32 (name, offset)
    | (uint64_t) th_read_le32 (name, offset + 4) << 32;
}

static inline uint64_t
th_file_size (const char *name)
{
  char *p = th_path (name);
  struct stat st;

  if (stat (p, &st) == -1)
    FAIL ("stat %s: %s", p, strerror (errno));
  free (p);
  return st.st_size;
}

static inline void
th_truncate (const char *name, uint64_t size)
{
  char *p = th_path (name);

  if (truncate (p, (off_t) size) == -1)
    FAIL ("truncate %s: %s", p, strerror (errno));
  free (p);
}

/* Sparse header fields (byte offsets in the first sector). */
#define TH_HDR_FLAGS 8
#define TH_HDR_CAPACITY 12
#define TH_HDR_GRAIN_SIZE 20
#define TH_HDR_DESC_OFFSET 28
#define TH_HDR_DESC_SIZE 36
#define TH_HDR_GTES_PER_GT 44
#define TH_HDR_RGD_OFFSET 48
#define TH_HDR_GD_OFFSET 56

/* Replace the descriptor embedded in a sparse file (zero padded). */
static inline void
th_rewrite_embedded_descriptor (const char *name, const char *text)
{
  uint64_t at = th_read_le64 (name, TH_HDR_DESC_OFFSET) * 512;
  uint64_t room = th_read_le64 (name, TH_HDR_DESC_SIZE) * 512;
  char *buf;

  if (at == 0 || strlen (text) >= room)
    FAIL ("%s: no room for the new descriptor", name);
  buf = calloc (1, room);
  memcpy (buf, text, strlen (text));
  th_patch (name, at, buf, room);
  free (buf);
}

/* The embedded descriptor text (malloc'd, NUL-terminated). */
static inline char *
th_read_embedded_descriptor (const char *name)
{
  uint64_t at = th_read_le64 (name, TH_HDR_DESC_OFFSET) * 512;
  uint64_t room = th_read_le64 (name, TH_HDR_DESC_SIZE) * 512;
  char *buf = calloc (1, room + 1);

  th_read_at (name, at, buf, room);
  return buf;
}

/* Replace the first occurrence of `from` in the embedded descriptor. */
static inline void
th_descriptor_replace (const char *name, const char *from, const char *to)
{
  char *text = th_read_embedded_descriptor (name);
  char *hit = strstr (text, from);
  char *out;

  if (hit == NULL)
    FAIL ("%s: \"%s\" not in the descriptor", name, from);
  if (asprintf (&out, "%.*s%s%s", (int) (hit - text), text, to,
                hit + strlen (from)) == -1)
    FAIL ("asprintf");
  th_rewrite_embedded_descriptor (name, out);
  free (text);
  free (out);
}

/* Find the GTE of guest grain `grain` in a sparse file: returns the file
 * offset of the entry (its value via *gte), or 0 when its GT is absent. */
static inline uint64_t
th_gte_location (const char *name, uint64_t grain, uint32_t *gte)
{
  uint64_t gd = th_read_le64 (name, TH_HDR_GD_OFFSET) * 512;
  uint32_t per_gt = th_read_le32 (name, TH_HDR_GTES_PER_GT);
  uint32_t gt = th_read_le32 (name, gd + 4 * (grain / per_gt));
  uint64_t at;

  if (gt == 0)
    return 0;
  at = (uint64_t) gt * 512 + 4 * (grain % per_gt);
  *gte = th_read_le32 (name, at);
  return at;
}

/* File offset of the GD entry of grain table `gt`. */
static inline uint64_t
th_gd_entry_location (const char *name, uint64_t gt)
{
  return th_read_le64 (name, TH_HDR_GD_OFFSET) * 512 + 4 * gt;
}

static inline struct disk *
th_open (const char *name)
{
  char *p = th_path (name);
  struct disk *d = disk_open (p, NULL, 0);

  if (d == NULL)
    FAIL ("disk_open %s: %s", p, error_message ());
  free (p);
  return d;
}

/* Opening must fail with a non-empty message containing `want`. */
static inline void
th_expect_open_fails (const char *name, const char *format, const char *want)
{
  char *p = th_path (name);
  struct disk *d;

  error_clear ();
  d = disk_open (p, format, 0);
  if (d != NULL)
    FAIL ("disk_open %s succeeded, expected an error about \"%s\"", p, want);
  if (error_message ()[0] == '\0')
    FAIL ("disk_open %s failed without a message", p);
  if (want && strstr (error_message (), want) == NULL)
    FAIL ("disk_open %s: message \"%s\" does not mention \"%s\"", p,
          error_message (), want);
  fprintf (stderr, "ok, refused: %s\n", error_message ());
  free (p);
}

/* Walk the whole disk with block status and read every DATA range;
 * returns 0, or -1 with the error set (the first failure). */
static inline int
th_read_everything (struct disk *d)
{
  static uint8_t buf[1 << 20];
  uint64_t off = 0;

  while (off < d->size) {
    struct extent e;
    uint64_t len = d->size - off < sizeof buf ? d->size - off : sizeof buf;
    if (disk_block_status (d, off, len, &e) == -1)
      return -1;
    if (e.type == EXTENT_DATA
        && disk_pread_layer (d, e.depth, buf, e.length, off) == -1)
      return -1;
    off += e.length;
  }
  return 0;
}

/* Opening succeeds, reading the whole disk fails with `want`. */
static inline void
th_expect_read_fails (const char *name, const char *want)
{
  struct disk *d = th_open (name);

  error_clear ();
  if (th_read_everything (d) == 0)
    FAIL ("reading %s succeeded, expected an error about \"%s\"", name, want);
  if (error_message ()[0] == '\0')
    FAIL ("reading %s failed without a message", name);
  if (want && strstr (error_message (), want) == NULL)
    FAIL ("reading %s: message \"%s\" does not mention \"%s\"", name,
          error_message (), want);
  fprintf (stderr, "ok, refused: %s\n", error_message ());
  disk_close (d);
}

/* Every guest byte read through disk_pread equals qemu-img's raw
 * conversion of the same image. */
static inline void
th_compare_with_qemu (const char *name)
{
  static uint8_t ours[4 << 20], theirs[4 << 20];
  char *raw_name, *raw_path;
  struct disk *d;
  int fd;
  uint64_t size, off;

  if (asprintf (&raw_name, "%s.qemu.raw", name) == -1)
    FAIL ("asprintf");
  th_run ("qemu-img convert -O raw '%s' '%s'", name, raw_name);
  raw_path = th_path (raw_name);
  fd = open (raw_path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    FAIL ("open %s: %s", raw_path, strerror (errno));
  size = th_file_size (raw_name);
  d = th_open (name);
  if (d->size != size)
    FAIL ("%s: size %" PRIu64 ", qemu-img says %" PRIu64, name, d->size,
          size);
  for (off = 0; off < size; off += sizeof ours) {
    size_t n = size - off < sizeof ours ? size - off : sizeof ours;
    off_t data = lseek (fd, (off_t) off, SEEK_DATA);

    if (disk_pread (d, ours, n, off) == -1)
      FAIL ("%s: disk_pread at %" PRIu64 ": %s", name, off, error_message ());
    if (data == -1 || (uint64_t) data >= off + n)
      memset (theirs, 0, n);    /* a hole in qemu's output */
    else if (pread (fd, theirs, n, (off_t) off) != (ssize_t) n)
      FAIL ("reading %s: %s", raw_path, strerror (errno));
    if (memcmp (ours, theirs, n) != 0) {
      size_t i = 0;
      while (ours[i] == theirs[i])
        i++;
      FAIL ("%s: byte %" PRIu64 " is 0x%02x, qemu-img reads 0x%02x", name,
            off + i, ours[i], theirs[i]);
    }
  }
  close (fd);
  disk_close (d);
  free (raw_name);
  free (raw_path);
}

/* Block status agrees with `qemu-img map`: qemu's data-and-not-zero
 * ranges are DATA for us, and its no-data ranges are not. */
static inline void
th_compare_map_with_qemu (const char *name)
{
  char *map_name, *map_path;
  json_t *map;
  json_error_t jerr;
  struct disk *d = th_open (name);
  size_t i;

  if (asprintf (&map_name, "%s.map.json", name) == -1)
    FAIL ("asprintf");
  th_run ("qemu-img map --output=json '%s' > '%s'", name, map_name);
  map_path = th_path (map_name);
  map = json_load_file (map_path, 0, &jerr);
  if (map == NULL || !json_is_array (map))
    FAIL ("%s: cannot parse qemu-img map output: %s", map_path, jerr.text);
  for (i = 0; i < json_array_size (map); i++) {
    json_t *m = json_array_get (map, i);
    uint64_t start = json_integer_value (json_object_get (m, "start"));
    uint64_t length = json_integer_value (json_object_get (m, "length"));
    bool data = json_is_true (json_object_get (m, "data"));
    bool zero = json_is_true (json_object_get (m, "zero"));
    uint64_t off = start;

    while (off < start + length) {
      struct extent e;
      if (disk_block_status (d, off, start + length - off, &e) == -1)
        FAIL ("%s: block status at %" PRIu64 ": %s", name, off,
              error_message ());
      if (data && !zero && e.type != EXTENT_DATA)
        FAIL ("%s: [%" PRIu64 ", +%" PRIu64 ") is data for qemu-img, type %d "
              "for ferry", name, off, e.length, e.type);
      if (!data && e.type == EXTENT_DATA)
        FAIL ("%s: [%" PRIu64 ", +%" PRIu64 ") has no data for qemu-img, but "
              "ferry says data", name, off, e.length);
      off += e.length;
    }
  }
  json_decref (map);
  disk_close (d);
  free (map_name);
  free (map_path);
}

/* Status of one guest offset through the chain. */
static inline struct extent
th_status_at (struct disk *d, uint64_t offset, uint64_t length)
{
  struct extent e;

  if (disk_block_status (d, offset, length, &e) == -1)
    FAIL ("block status at %" PRIu64 ": %s", offset, error_message ());
  return e;
}

/* Every byte of [offset, offset + len) of the disk equals `byte`. */
static inline void
th_expect_bytes (struct disk *d, uint64_t offset, size_t len, uint8_t byte)
{
  uint8_t *buf = malloc (len);

  if (buf == NULL)
    FAIL ("malloc");
  if (disk_pread (d, buf, len, offset) == -1)
    FAIL ("disk_pread at %" PRIu64 ": %s", offset, error_message ());
  for (size_t i = 0; i < len; i++)
    if (buf[i] != byte)
      FAIL ("byte %" PRIu64 " is 0x%02x, expected 0x%02x", offset + i,
            buf[i], byte);
  free (buf);
}

#endif
