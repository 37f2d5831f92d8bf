/* vhdtest.c: see vhdtest.h. */
#include <inttypes.h>
#include <string.h>

#include <jansson.h>

#include "vhdtest.h"

struct disk *
vhdtest_open (const char *name)
{
  char *p = test_path (name);
  struct disk *d = disk_open (p, "vhd", 0);

  if (d == NULL)
    FAIL ("disk_open %s: %s", p, error_message ());
  free (p);
  return d;
}

uint8_t *
vhdtest_read_all (struct disk *d)
{
  uint8_t *buf = malloc (d->size ? d->size : 1);

  if (buf == NULL)
    FAIL ("malloc %" PRIu64, d->size);
  if (disk_pread (d, buf, d->size, 0) == -1)
    FAIL ("%s: disk_pread: %s", d->path, error_message ());
  return buf;
}

static void
expect_equal (const char *what, const uint8_t *ours, const uint8_t *theirs,
              size_t n, uint64_t base)
{
  size_t i = 0;

  if (memcmp (ours, theirs, n) == 0)
    return;
  while (ours[i] == theirs[i])
    i++;
  FAIL ("%s: byte %" PRIu64 " is 0x%02x in ferry, 0x%02x in the reference",
        what, base + i, ours[i], theirs[i]);
}

void
vhdtest_expect_same_as_file (struct disk *d, const char *raw)
{
  enum { ODD = 333333 };
  static uint8_t ours[ODD], theirs[ODD];
  char *p = test_path (raw);
  FILE *fp = fopen (p, "rb");

  if (fp == NULL)
    FAIL ("open %s", p);
  if (test_file_size (raw) != d->size)
    FAIL ("%s: size %" PRIu64 ", %s has %" PRIu64, d->path, d->size, raw,
          test_file_size (raw));
  /* odd-sized pieces cross every block and sector boundary somewhere */
  for (uint64_t off = 0; off < d->size;) {
    size_t n = d->size - off < ODD ? d->size - off : ODD;
    if (disk_pread (d, ours, n, off) == -1)
      FAIL ("%s: disk_pread at %" PRIu64 ": %s", d->path, off,
            error_message ());
    if (fread (theirs, 1, n, fp) != n)
      FAIL ("reading %s", p);
    expect_equal (d->path, ours, theirs, n, off);
    off += n;
  }
  fclose (fp);
  free (p);
}

static void
compare_map (const char *name, struct disk *d)
{
  json_error_t jerr;
  json_t *map, *m;
  size_t i;

  test_run ("qemu-img map -f vpc --output=json '%s' > '%s.map.json'", name,
            name);
  {
    char *mp;
    if (asprintf (&mp, "%s/%s.map.json", test_dir (), name) == -1)
      FAIL ("out of memory");
    map = json_load_file (mp, 0, &jerr);
    free (mp);
  }
  if (map == NULL || !json_is_array (map))
    FAIL ("%s: cannot parse qemu-img map output: %s", name, jerr.text);
  json_array_foreach (map, i, m) {
    uint64_t start = json_integer_value (json_object_get (m, "start"));
    uint64_t length = json_integer_value (json_object_get (m, "length"));
    bool data = json_is_true (json_object_get (m, "data"));
    bool zero = json_is_true (json_object_get (m, "zero"));
    bool present = json_is_true (json_object_get (m, "present"));

    for (uint64_t off = start; off < start + length;) {
      struct extent e = test_status_at (d, off, start + length - off);
      bool ok = data ? (e.type == EXTENT_DATA
                        || (zero && e.type == EXTENT_ZERO))
                     : e.type != EXTENT_DATA
                       && present == (e.type != EXTENT_UNALLOCATED);
      if (!ok)
        FAIL ("%s: [%" PRIu64 ", +%" PRIu64 "): qemu-img says data=%d "
              "zero=%d present=%d, ferry says type %d", name, off, e.length,
              data, zero, present, e.type);
      off += e.length;
    }
  }
  json_decref (map);
}

void
vhdtest_compare_with_qemu (const char *name)
{
  char *raw;
  struct disk *d;

  if (asprintf (&raw, "%s.qemu.raw", name) == -1)
    FAIL ("out of memory");
  test_run ("qemu-img convert -f vpc -O raw '%s' '%s'", name, raw);
  d = vhdtest_open (name);
  vhdtest_expect_same_as_file (d, raw);
  compare_map (name, d);
  disk_close (d);
  test_run ("rm -f '%s' '%s.map.json'", raw, name);
  free (raw);
}

bool
vhdtest_libvhdi_convert (const char *name, const char *parent,
                         const char *out)
{
  static const char script[] =
    "import sys, pyvhdi\n"
    "f = pyvhdi.file(); f.open(sys.argv[1])\n"
    "if len(sys.argv) > 3:\n"
    "    p = pyvhdi.file(); p.open(sys.argv[3]); f.set_parent(p)\n"
    "size = f.get_media_size(); o = open(sys.argv[2], 'wb'); done = 0\n"
    "while done < size:\n"
    "    b = f.read_buffer_at_offset(min(1 << 16, size - done), done)\n"
    "    assert len(b) > 0\n"
    "    o.write(b); done += len(b)\n"
    "o.close()\n";

  if (test_run_status ("/usr/bin/python3 -c 'import pyvhdi' 2>/dev/null")
      != 0) {
    SKIP_PART ("libvhdi", "pyvhdi is not installed for /usr/bin/python3 "
               "(Debian: python3-libvhdi); libvhdi cross-check skipped");
    return false;
  }
  test_write_text ("libvhdi_convert.py", script);
  test_run ("/usr/bin/python3 libvhdi_convert.py '%s' '%s'%s%s%s", name, out,
            parent ? " '" : "", parent ? parent : "", parent ? "'" : "");
  return true;
}

void
vhdtest_make_base (const char *name, unsigned seed)
{
  static uint8_t data[VHDTEST_SIZE];
  uint8_t uuid[16];
  struct vhdgen *g = vhdgen_new (VHDGEN_DYNAMIC, VHDTEST_SIZE, 65536);

  vhdgen_uuid (seed, uuid);
  vhdgen_set_uuid (g, uuid);
  test_fill_pattern (data, VHDTEST_SIZE, seed);
  vhdgen_write (g, 0, data, VHDTEST_SIZE);
  vhdgen_save (g, name);
  vhdgen_free (g);
}

struct vhdgen *
vhdtest_child_new (unsigned parent_seed, unsigned own_seed)
{
  uint8_t uuid[16], run[VHDTEST_CHILD_RUN];
  struct vhdgen *g = vhdgen_new (VHDGEN_DIFFERENCING, VHDTEST_SIZE, 65536);

  vhdgen_uuid (own_seed, uuid);
  vhdgen_set_uuid (g, uuid);
  vhdgen_uuid (parent_seed, uuid);
  vhdgen_set_parent (g, uuid, NULL);
  test_fill_pattern (run, sizeof run, own_seed);
  vhdgen_write (g, VHDTEST_CHILD_AT, run, sizeof run);
  return g;
}

void
vhdtest_expect_chain (const char *child, const char *want_backing,
                      unsigned parent_seed, unsigned own_seed)
{
  static uint8_t want[VHDTEST_SIZE];
  struct disk *d = test_open (child);
  uint8_t *got;

  if (d->backing_path == NULL || strcmp (d->backing_path, want_backing) != 0)
    FAIL ("%s: backing path \"%s\", expected \"%s\"", child,
          d->backing_path ? d->backing_path : "(none)", want_backing);
  CHECK (d->backing != NULL);
  test_fill_pattern (want, VHDTEST_SIZE, parent_seed);
  test_fill_pattern (want + VHDTEST_CHILD_AT, VHDTEST_CHILD_RUN, own_seed);
  got = vhdtest_read_all (d);
  expect_equal (child, got, want, VHDTEST_SIZE, 0);
  free (got);
  disk_close (d);
}
