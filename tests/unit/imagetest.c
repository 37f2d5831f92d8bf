/* imagetest.c: see imagetest.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "imagetest.h"

static char dir[4096];

static int
remove_entry (const char *path, const struct stat *st, int flag,
              struct FTW *ftw)
{
  return remove (path);
}

static void
test_cleanup (void)
{
  if (dir[0] && getenv ("FERRY_TEST_KEEP") == NULL)
    nftw (dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  else if (dir[0])
    fprintf (stderr, "kept %s\n", dir);
}

void
test_init (bool need_qemu)
{
  const char *tmp = getenv ("TMPDIR");

  if (need_qemu
      && (system ("qemu-img --version >/dev/null 2>&1") != 0
          || system ("qemu-io --version >/dev/null 2>&1") != 0))
    SKIP ("qemu-img", "qemu-img or qemu-io is not installed (Debian: qemu-utils)");
  snprintf (dir, sizeof dir, "%s/ferry-test-XXXXXX",
            tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp (dir) == NULL)
    FAIL ("mkdtemp %s: %s", dir, strerror (errno));
  atexit (test_cleanup);
}

const char *
test_dir (void)
{
  return dir;
}

char *
test_path (const char *name)
{
  char *p;

  if (name[0] == '/')
    p = strdup (name);
  else if (asprintf (&p, "%s/%s", dir, name) == -1)
    p = NULL;
  if (p == NULL)
    FAIL ("out of memory");
  return p;
}

static char **strings;
static size_t nr_strings;

static void
free_strings (void)
{
  for (size_t i = 0; i < nr_strings; i++)
    free (strings[i]);
  free (strings);
}

char *
test_printf (const char *fmt, ...)
{
  va_list ap;
  char *s, **n;

  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) == -1)
    FAIL ("out of memory");
  va_end (ap);
  if (nr_strings == 0)
    atexit (free_strings);
  n = realloc (strings, (nr_strings + 1) * sizeof *n);
  if (n == NULL)
    FAIL ("out of memory");
  strings = n;
  strings[nr_strings++] = s;
  return s;
}

static int
run_v (const char *fmt, va_list ap)
{
  char *cmd, *full;
  int r;

  if (vasprintf (&cmd, fmt, ap) == -1
      || asprintf (&full, "cd '%s' && { %s ; } >&2", dir, cmd) == -1)
    FAIL ("out of memory");
  fprintf (stderr, "+ %s\n", cmd);
  r = system (full);
  free (cmd);
  free (full);
  if (r == -1 || !WIFEXITED (r))
    return -1;
  return WEXITSTATUS (r);
}

void
test_run (const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = run_v (fmt, ap);
  va_end (ap);
  if (r != 0)
    FAIL ("the command above failed (status %d)", r);
}

int
test_run_status (const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = run_v (fmt, ap);
  va_end (ap);
  return r;
}

void
test_write_file (const char *name, const void *data, size_t len)
{
  char *p = test_path (name);
  FILE *fp = fopen (p, "w");

  if (fp == NULL || fwrite (data, 1, len, fp) != len || fclose (fp) != 0)
    FAIL ("writing %s: %s", p, strerror (errno));
  free (p);
}

void
test_write_text (const char *name, const char *text)
{
  test_write_file (name, text, strlen (text));
}

uint8_t *
test_read_file (const char *name, size_t *len)
{
  uint64_t size = test_file_size (name);
  uint8_t *buf = malloc (size ? size : 1);

  if (buf == NULL)
    FAIL ("malloc %" PRIu64, size);
  test_read_at (name, 0, buf, size);
  *len = size;
  return buf;
}

void
test_read_at (const char *name, uint64_t offset, void *buf, size_t len)
{
  char *p = test_path (name);
  int fd = open (p, O_RDONLY | O_CLOEXEC);
  size_t done = 0;

  if (fd == -1)
    FAIL ("open %s: %s", p, strerror (errno));
  while (done < len) {
    ssize_t r = pread (fd, (char *) buf + done, len - done, offset + done);
    if (r <= 0)
      FAIL ("reading %s at %" PRIu64 ": %s", p, offset + done,
            r == 0 ? "end of file" : strerror (errno));
    done += r;
  }
  close (fd);
  free (p);
}

void
test_patch (const char *name, uint64_t offset, const void *data, size_t len)
{
  char *p = test_path (name);
  int fd = open (p, O_WRONLY | O_CLOEXEC);

  if (fd == -1 || pwrite (fd, data, len, (off_t) offset) != (ssize_t) len)
    FAIL ("patching %s: %s", p, strerror (errno));
  close (fd);
  free (p);
}

static void
patch_int (const char *name, uint64_t offset, uint64_t v, int bytes,
           bool big_endian)
{
  uint8_t b[8];

  for (int i = 0; i < bytes; i++)
    b[big_endian ? bytes - 1 - i : i] = (uint8_t) (v >> (8 * i));
  test_patch (name, offset, b, bytes);
}

static uint64_t
read_int (const char *name, uint64_t offset, int bytes, bool big_endian)
{
  uint8_t b[8];
  uint64_t v = 0;

  test_read_at (name, offset, b, bytes);
  for (int i = 0; i < bytes; i++)
    v |= (uint64_t) b[big_endian ? bytes - 1 - i : i] << (8 * i);
  return v;
}

void test_patch_le16 (const char *n, uint64_t o, uint16_t v) { patch_int (n, o, v, 2, false); }
void test_patch_le32 (const char *n, uint64_t o, uint32_t v) { patch_int (n, o, v, 4, false); }
void test_patch_le64 (const char *n, uint64_t o, uint64_t v) { patch_int (n, o, v, 8, false); }
void test_patch_be16 (const char *n, uint64_t o, uint16_t v) { patch_int (n, o, v, 2, true); }
void test_patch_be32 (const char *n, uint64_t o, uint32_t v) { patch_int (n, o, v, 4, true); }
void test_patch_be64 (const char *n, uint64_t o, uint64_t v) { patch_int (n, o, v, 8, true); }
uint16_t test_read_le16 (const char *n, uint64_t o) { return read_int (n, o, 2, false); }
uint32_t test_read_le32 (const char *n, uint64_t o) { return read_int (n, o, 4, false); }
uint64_t test_read_le64 (const char *n, uint64_t o) { return read_int (n, o, 8, false); }
uint32_t test_read_be32 (const char *n, uint64_t o) { return read_int (n, o, 4, true); }
uint64_t test_read_be64 (const char *n, uint64_t o) { return read_int (n, o, 8, true); }

uint64_t
test_file_size (const char *name)
{
  char *p = test_path (name);
  struct stat st;

  if (stat (p, &st) == -1)
    FAIL ("stat %s: %s", p, strerror (errno));
  free (p);
  return st.st_size;
}

void
test_truncate (const char *name, uint64_t size)
{
  char *p = test_path (name);

  if (truncate (p, (off_t) size) == -1)
    FAIL ("truncate %s: %s", p, strerror (errno));
  free (p);
}

void
test_fill_pattern (uint8_t *buf, size_t len, uint64_t seed)
{
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;

  for (size_t i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    buf[i] = (uint8_t) (x | 1);
  }
}

static struct disk *
open_or_fail (const char *name, const char *format)
{
  char *p = test_path (name);
  struct disk *d = disk_open (p, format, 0);

  if (d == NULL)
    FAIL ("disk_open %s: %s", p, error_message ());
  free (p);
  return d;
}

struct disk *
test_open (const char *name)
{
  return open_or_fail (name, NULL);
}

void
test_expect_open_fails (const char *name, const char *format, unsigned flags,
                        const char *want)
{
  char *p = test_path (name);
  struct disk *d;

  error_clear ();
  d = disk_open (p, format, flags);
  if (d != NULL)
    FAIL ("disk_open %s succeeded; expected an error about \"%s\"", p,
          want ? want : "anything");
  if (error_message ()[0] == '\0')
    FAIL ("disk_open %s failed without a message", p);
  if (want && strstr (error_message (), want) == NULL)
    FAIL ("disk_open %s: message \"%s\" does not mention \"%s\"", p,
          error_message (), want);
  fprintf (stderr, "ok, refused: %s\n", error_message ());
  free (p);
}

int
test_read_everything (struct disk *disk)
{
  static uint8_t buf[1 << 20];
  uint64_t off = 0;

  while (off < disk->size) {
    struct extent e;
    uint64_t len = disk->size - off < sizeof buf ? disk->size - off
                                                 : sizeof buf;
    if (disk_block_status (disk, off, len, &e) == -1)
      return -1;
    if (e.type == EXTENT_DATA
        && disk_pread_layer (disk, e.depth, buf, e.length, off) == -1)
      return -1;
    off += e.length;
  }
  return 0;
}

void
test_expect_read_fails (const char *name, const char *want)
{
  struct disk *d = test_open (name);

  error_clear ();
  if (test_read_everything (d) == 0)
    FAIL ("reading %s succeeded; expected an error about \"%s\"", name,
          want ? want : "anything");
  if (error_message ()[0] == '\0')
    FAIL ("reading %s failed without a message", name);
  if (want && strstr (error_message (), want) == NULL)
    FAIL ("reading %s: message \"%s\" does not mention \"%s\"", name,
          error_message (), want);
  fprintf (stderr, "ok, refused: %s\n", error_message ());
  disk_close (d);
}

static void
expect_same (const char *name, const uint8_t *ours, const uint8_t *theirs,
             size_t n, uint64_t base, const char *how)
{
  size_t i = 0;

  if (memcmp (ours, theirs, n) == 0)
    return;
  while (ours[i] == theirs[i])
    i++;
  FAIL ("%s: %s: byte %" PRIu64 " is 0x%02x, qemu-img reads 0x%02x", name,
        how, base + i, ours[i], theirs[i]);
}

void
test_compare_disk_with_raw (const char *name, struct disk *d,
                            const char *raw)
{
  enum { CHUNK = 4 << 20, ODD = 777777 };
  static uint8_t ours[CHUNK], theirs[CHUNK];
  char *ref = test_path (raw);
  uint64_t size, off;
  int fd;

  size = test_file_size (ref);
  if (d->size != size)
    FAIL ("%s: size %" PRIu64 ", qemu-img says %" PRIu64, name, d->size, size);
  fd = open (ref, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    FAIL ("open %s: %s", ref, strerror (errno));

  for (off = 0; off < size;) {
    /* odd-sized pieces cross every internal boundary somewhere */
    size_t n = size - off < ODD ? size - off : ODD;
    if (disk_pread (d, ours, n, off) == -1)
      FAIL ("%s: disk_pread at %" PRIu64 ": %s", name, off, error_message ());
    if (pread (fd, theirs, n, (off_t) off) != (ssize_t) n)
      FAIL ("reading %s: %s", ref, strerror (errno));
    expect_same (name, ours, theirs, n, off, "disk_pread");
    off += n;
  }
  for (off = 0; off < size;) {
    struct extent e;
    size_t n;
    if (disk_block_status (d, off, size - off < CHUNK ? size - off : CHUNK,
                           &e) == -1)
      FAIL ("%s: block status at %" PRIu64 ": %s", name, off,
            error_message ());
    n = e.length;
    if (e.type == EXTENT_DATA) {
      if (disk_pread_layer (d, e.depth, ours, n, off) == -1)
        FAIL ("%s: disk_pread_layer at %" PRIu64 ": %s", name, off,
              error_message ());
    }
    else
      memset (ours, 0, n);
    if (pread (fd, theirs, n, (off_t) off) != (ssize_t) n)
      FAIL ("reading %s: %s", ref, strerror (errno));
    expect_same (name, ours, theirs, n, off, "extent-wise read");
    off += n;
  }
  close (fd);
  free (ref);
}

void
test_compare_with_qemu (const char *name, const char *format)
{
  char *path = test_path (name), *ref;
  struct disk *d;

  if (asprintf (&ref, "%s.qemu.raw", path) == -1)
    FAIL ("out of memory");
  test_run ("qemu-img convert %s%s -O raw '%s' '%s'", format ? "-f " : "",
            format ? format : "", path, ref);
  d = open_or_fail (name, format);
  test_compare_disk_with_raw (name, d, ref);
  unlink (ref);
  disk_close (d);
  free (ref);
  free (path);
}

/* holes_may_be_zero: where qemu-img says data and zero, ferry may say
 * EXTENT_ZERO instead of EXTENT_DATA. */
static void
compare_map (const char *name, const char *format, bool exact,
             bool holes_may_be_zero)
{
  char *path = test_path (name), *map_path;
  json_error_t jerr;
  json_t *map, *m;
  struct disk *d;
  size_t i;

  if (asprintf (&map_path, "%s.map.json", path) == -1)
    FAIL ("out of memory");
  test_run ("qemu-img map %s%s --output=json '%s' > '%s'",
            format ? "-f " : "", format ? format : "", path, map_path);
  map = json_load_file (map_path, 0, &jerr);
  if (map == NULL || !json_is_array (map))
    FAIL ("%s: cannot parse qemu-img map output: %s", map_path, jerr.text);
  d = open_or_fail (name, format);

  json_array_foreach (map, i, m) {
    uint64_t start = json_integer_value (json_object_get (m, "start"));
    uint64_t length = json_integer_value (json_object_get (m, "length"));
    uint64_t depth = json_integer_value (json_object_get (m, "depth"));
    bool data = json_is_true (json_object_get (m, "data"));
    bool present = json_is_true (json_object_get (m, "present"));
    bool zero = json_is_true (json_object_get (m, "zero"));
    uint64_t off = start;

    while (off < start + length) {
      struct extent e = test_status_at (d, off, start + length - off);
      bool ours = e.type == EXTENT_DATA
        || (holes_may_be_zero && data && zero && e.type == EXTENT_ZERO);

      if (data != ours)
        FAIL ("%s: [%" PRIu64 ", +%" PRIu64 "): qemu-img says data=%d, "
              "ferry says type %d", name, off, e.length, data, e.type);
      if (data && e.depth != depth)
        FAIL ("%s: offset %" PRIu64 ": depth %u, qemu-img says %" PRIu64,
              name, off, e.depth, depth);
      if (exact && !data
          && present != (e.type != EXTENT_UNALLOCATED))
        FAIL ("%s: [%" PRIu64 ", +%" PRIu64 "): qemu-img says present=%d, "
              "ferry says type %d", name, off, e.length, present, e.type);
      off += e.length;
    }
  }
  json_decref (map);
  disk_close (d);
  unlink (map_path);
  free (map_path);
  free (path);
}

void
test_compare_map_with_qemu (const char *name, const char *format, bool exact)
{
  compare_map (name, format, exact, false);
}

void
test_compare_map_with_qemu_holes (const char *name, const char *format,
                                  bool exact)
{
  compare_map (name, format, exact, true);
}

struct extent
test_status_at (struct disk *disk, uint64_t offset, uint64_t length)
{
  struct extent e;

  if (disk_block_status (disk, offset, length, &e) == -1)
    FAIL ("block status at %" PRIu64 ": %s", offset, error_message ());
  return e;
}

bool
test_disks_same (struct disk *a, struct disk *b, uint64_t offset,
                 uint64_t len)
{
  uint8_t *x = malloc (1 << 20), *y = malloc (1 << 20);
  bool same = true;

  CHECK (x && y);
  while (len > 0 && same) {
    size_t n = len < (1 << 20) ? len : (1 << 20);
    CHECK (disk_pread (a, x, n, offset) == 0);
    CHECK (disk_pread (b, y, n, offset) == 0);
    same = memcmp (x, y, n) == 0;
    offset += n;
    len -= n;
  }
  free (x);
  free (y);
  return same;
}

void
test_expect_bytes (struct disk *disk, uint64_t offset, size_t len,
                   uint8_t byte)
{
  uint8_t *buf = malloc (len ? len : 1);

  if (buf == NULL)
    FAIL ("malloc");
  if (disk_pread (disk, buf, len, offset) == -1)
    FAIL ("disk_pread at %" PRIu64 ": %s", offset, error_message ());
  for (size_t i = 0; i < len; i++)
    if (buf[i] != byte)
      FAIL ("byte %" PRIu64 " is 0x%02x, expected 0x%02x", offset + i,
            buf[i], byte);
  free (buf);
}

void
test_expect_extents_tile (struct disk *disk)
{
  uint64_t off = 0;

  while (off < disk->size) {
    struct extent e = test_status_at (disk, off, disk->size - off);

    if (e.offset != off || e.length == 0 || e.length > disk->size - off)
      FAIL ("block status at %" PRIu64 " (for %" PRIu64 " bytes) answered "
            "[%" PRIu64 ", +%" PRIu64 ")", off, disk->size - off, e.offset,
            e.length);
    off += e.length;
  }
}

void
test_expect_status (struct disk *disk, uint64_t offset, uint64_t length,
                    enum extent_type type, uint64_t want_length)
{
  struct extent e = test_status_at (disk, offset, length);

  if (e.type != type || (want_length && e.length != want_length))
    FAIL ("block status at %" PRIu64 ": type %d for %" PRIu64 " bytes "
          "(depth %u), expected type %d for %" PRIu64, offset, e.type,
          e.length, e.depth, type, want_length);
}
