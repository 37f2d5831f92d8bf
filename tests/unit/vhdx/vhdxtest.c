/* vhdxtest.c: see vhdxtest.h. */
#include <inttypes.h>
#include <string.h>

#include "vhdxtest.h"

static const char pyvhdi_script[] =
  "import sys, pyvhdi\n"
  "out, paths = sys.argv[1], sys.argv[2:]\n"
  "files = []\n"
  "for p in paths:\n"
  "    f = pyvhdi.file()\n"
  "    f.open(p)\n"
  "    files.append(f)\n"
  "for child, parent in zip(files, files[1:]):\n"
  "    child.set_parent(parent)\n"
  "f = files[0]\n"
  "size = f.get_media_size()\n"
  "with open(out, 'wb') as o:\n"
  "    off = 0\n"
  "    while off < size:\n"
  "        n = min(4 << 20, size - off)\n"
  "        data = f.read_buffer_at_offset(n, off)\n"
  "        if len(data) != n:\n"
  "            sys.exit('short read at %d' % off)\n"
  "        o.write(data)\n"
  "        off += n\n";

bool
vx_have_pyvhdi (void)
{
  if (system ("/usr/bin/python3 -c 'import pyvhdi' >/dev/null 2>&1") == 0)
    return true;
  SKIP_PART ("libvhdi", "pyvhdi is not installed for /usr/bin/python3 "
             "(Debian: python3-libvhdi); not compared with libvhdi");
  return false;
}

int
vx_pyvhdi_dump (const char *name, const char *raw, const char *const *parents)
{
  char args[4096] = "";

  test_write_text ("pyvhdi_dump.py", pyvhdi_script);
  for (size_t i = 0; parents && parents[i]; i++) {
    strncat (args, " '", sizeof args - strlen (args) - 1);
    strncat (args, parents[i], sizeof args - strlen (args) - 1);
    strncat (args, "'", sizeof args - strlen (args) - 1);
  }
  return test_run_status ("/usr/bin/python3 pyvhdi_dump.py '%s' '%s'%s",
                          raw, name, args);
}

void
vx_compare_with_raw (const char *name, const char *raw)
{
  enum { ODD = 777777 };
  static uint8_t ours[4 << 20], theirs[4 << 20];
  struct disk *d = test_open (name);
  uint64_t size = test_file_size (raw), off;

  if (d->size != size)
    FAIL ("%s: size %" PRIu64 ", %s has %" PRIu64, name, d->size, raw, size);
  for (off = 0; off < size;) {
    size_t n = size - off < ODD ? size - off : ODD;
    if (disk_pread (d, ours, n, off) == -1)
      FAIL ("%s: disk_pread at %" PRIu64 ": %s", name, off, error_message ());
    test_read_at (raw, off, theirs, n);
    if (memcmp (ours, theirs, n) != 0) {
      size_t i = 0;
      while (ours[i] == theirs[i])
        i++;
      FAIL ("%s: byte %" PRIu64 " is 0x%02x, %s has 0x%02x", name, off + i,
            ours[i], raw, theirs[i]);
    }
    off += n;
  }
  for (off = 0; off < size;) {
    struct extent e = test_status_at (d, off, size - off);
    size_t n = e.length < sizeof ours ? e.length : sizeof ours;
    if (e.type == EXTENT_DATA) {
      if (disk_pread_layer (d, e.depth, ours, n, off) == -1)
        FAIL ("%s: disk_pread_layer at %" PRIu64 ": %s", name, off,
              error_message ());
    }
    else
      memset (ours, 0, n);
    test_read_at (raw, off, theirs, n);
    if (memcmp (ours, theirs, n) != 0)
      FAIL ("%s: extent-wise read at %" PRIu64 " (type %d, depth %u) "
            "differs from %s", name, off, e.type, e.depth, raw);
    off += n;
  }
  disk_close (d);
}

void
vx_compare_with_pyvhdi (const char *name, const char *const *parents)
{
  char raw[512];

  if (!vx_have_pyvhdi ())
    return;
  snprintf (raw, sizeof raw, "%s.vhdi.raw", name);
  if (vx_pyvhdi_dump (name, raw, parents) != 0)
    FAIL ("%s: libvhdi could not read the image", name);
  vx_compare_with_raw (name, raw);
  test_run ("rm -f '%s'", raw);
}

void
vx_expect_status (struct disk *disk, uint64_t offset, uint64_t length,
                  enum extent_type type, uint64_t want_length)
{
  struct extent e = test_status_at (disk, offset, length);

  if (e.type != type || (want_length && e.length != want_length))
    FAIL ("block status at %" PRIu64 ": type %d for %" PRIu64 " bytes "
          "(depth %u), expected type %d for %" PRIu64, offset, e.type,
          e.length, e.depth, type, want_length);
}

bool
vx_files_equal (const char *a, const char *b)
{
  size_t la, lb;
  uint8_t *pa = test_read_file (a, &la), *pb = test_read_file (b, &lb);
  bool same = la == lb && memcmp (pa, pb, la) == 0;

  free (pa);
  free (pb);
  return same;
}

struct vhdxgen *
vx_gen_dynamic (uint64_t size, uint32_t block_size, uint32_t logical_sector)
{
  struct vhdxgen_options o = {
    .size = size,
    .block_size = block_size,
    .logical_sector = logical_sector,
  };
  return vhdxgen_new (&o);
}

void
vx_make_parent (const char *name, uint64_t size, uint32_t sector)
{
  struct vhdxgen_options o = {
    .size = size,
    .logical_sector = sector,
    .data_write_guid = VX_PARENT_GUID,
    .seed = 1,
  };
  struct vhdxgen *g = vhdxgen_new (&o);

  vhdxgen_fill (g, 0, size, 0x11);
  if (size > 4 << 20)
    vhdxgen_set_state (g, 3, VHDXGEN_NOT_PRESENT);
  vhdxgen_save (g, name);
  vhdxgen_free (g);
}

struct vhdxgen_options
vx_child_options (uint64_t size, uint32_t sector, const char *relative_path)
{
  struct vhdxgen_options o = {
    .size = size,
    .logical_sector = sector,
    .has_parent = true,
    .parent_linkage = VX_PARENT_GUID,
    .relative_path = relative_path,
    .absolute_win32_path = "C:\\Hyper-V\\Virtual Hard Disks\\parent.vhdx",
    .volume_path = "\\\\?\\Volume{26A21BDA-A627-11D7-9931-806E6F6E6963}\\"
                   "Hyper-V\\Virtual Hard Disks\\parent.vhdx",
    .seed = 2,
  };
  return o;
}

void
vx_make_small (const char *name)
{
  struct vhdxgen *g = vx_gen_dynamic (8 << 20, 1 << 20, 512);

  vhdxgen_fill (g, 0, 1 << 20, 0xd1);
  vhdxgen_fill (g, 2 << 20, 1 << 20, 0xd2);
  vhdxgen_save (g, name);
  vhdxgen_free (g);
}

void
vx_make_small_with_log (const char *name)
{
  struct vhdxgen *g = vx_gen_dynamic (8 << 20, 1 << 20, 512);
  uint64_t i5, e5;

  vhdxgen_fill (g, 0, 1 << 20, 0xd1);
  vhdxgen_fill (g, 5 << 20, 1 << 20, 0xe5);
  i5 = vhdxgen_bat_index (g, 5);
  e5 = vhdxgen_get_bat_entry (g, i5);
  vhdxgen_set_bat_entry (g, i5, 0);
  vhdxgen_checkpoint (g);
  vhdxgen_set_bat_entry (g, i5, e5);
  vhdxgen_fill (g, 8192, 4096, 0xe1);
  vhdxgen_save_with_log (g, name, 1, 500);
  vhdxgen_free (g);
}
