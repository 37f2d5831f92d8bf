/* vhdgen.c: see vhdgen.h.  Written from the specification, independently
 * of src/disk/vhd.c, so that the tests check the driver against a second
 * reading of the format. */
#include <inttypes.h>
#include <string.h>

#include "imagetest.h"
#include "vhdgen.h"

#define SECTOR 512u
#define MAX_LOCATORS 8

struct vhdgen_locator {
  char code[4];
  uint8_t *data;
  size_t len;
};

struct vhdgen {
  uint32_t type;
  uint64_t size;
  uint32_t block_size;
  uint32_t bitmap_size;
  uint64_t n_blocks;
  uint8_t **bitmaps;           /* per block, NULL = not allocated */
  uint8_t **blocks;
  uint8_t *fixed;              /* fixed disks: the guest bytes */

  uint8_t uuid[16];
  char creator[4];
  bool geometry_set;
  uint16_t cylinders;
  uint8_t heads, sectors;

  uint8_t parent_uuid[16];
  char *parent_name;
  struct vhdgen_locator locators[MAX_LOCATORS];
  int n_locators;

  uint64_t bat_offset;
  uint32_t *block_sector;
};

static void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size ? size : 1);
  if (p == NULL)
    FAIL ("out of memory");
  return p;
}

static void
put_be16 (uint8_t *p, uint16_t v)
{
  p[0] = v >> 8;
  p[1] = v;
}

static void
put_be32 (uint8_t *p, uint32_t v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static void
put_be64 (uint8_t *p, uint64_t v)
{
  put_be32 (p, v >> 32);
  put_be32 (p + 4, (uint32_t) v);
}

static uint32_t
checksum (const uint8_t *b, size_t len)
{
  uint32_t sum = 0;
  for (size_t i = 0; i < len; i++)
    sum += b[i];
  return ~sum;
}

void
vhdgen_uuid (unsigned seed, uint8_t out[16])
{
  for (int i = 0; i < 16; i++)
    out[i] = (uint8_t) (0x11 * (i + 1) + 0x3d * seed);
  out[6] = (out[6] & 0x0f) | 0x40;
  out[8] = (out[8] & 0x3f) | 0x80;
}

/* The CHS algorithm of the specification's appendix. */
static void
geometry (uint64_t sectors, uint16_t *c, uint8_t *h, uint8_t *s)
{
  uint64_t cth;

  if (sectors > 65535ull * 16 * 255)
    sectors = 65535ull * 16 * 255;
  if (sectors >= 65535ull * 16 * 63) {
    *s = 255;
    *h = 16;
    cth = sectors / *s;
  }
  else {
    *s = 17;
    cth = sectors / *s;
    *h = (cth + 1023) / 1024;
    if (*h < 4)
      *h = 4;
    if (cth >= (uint64_t) *h * 1024 || *h > 16) {
      *s = 31;
      *h = 16;
      cth = sectors / *s;
    }
    if (cth >= (uint64_t) *h * 1024) {
      *s = 63;
      *h = 16;
      cth = sectors / *s;
    }
  }
  *c = cth / *h;
}

struct vhdgen *
vhdgen_new (uint32_t disk_type, uint64_t size, uint32_t block_size)
{
  struct vhdgen *g = xcalloc (1, sizeof *g);

  if (size % SECTOR)
    FAIL ("vhdgen: size %" PRIu64 " is not a multiple of 512", size);
  g->type = disk_type;
  g->size = size;
  vhdgen_uuid (0, g->uuid);
  memcpy (g->creator, "win ", 4);
  if (disk_type == VHDGEN_FIXED) {
    g->fixed = xcalloc (size, 1);
    return g;
  }
  g->block_size = block_size;
  g->bitmap_size = ((block_size / SECTOR + 7) / 8 + SECTOR - 1)
                   / SECTOR * SECTOR;
  g->n_blocks = (size + block_size - 1) / block_size;
  g->bitmaps = xcalloc (g->n_blocks, sizeof *g->bitmaps);
  g->blocks = xcalloc (g->n_blocks, sizeof *g->blocks);
  g->block_sector = xcalloc (g->n_blocks, sizeof *g->block_sector);
  return g;
}

void
vhdgen_free (struct vhdgen *g)
{
  for (uint64_t b = 0; b < g->n_blocks; b++) {
    free (g->bitmaps[b]);
    free (g->blocks[b]);
  }
  free (g->bitmaps);
  free (g->blocks);
  free (g->block_sector);
  free (g->fixed);
  free (g->parent_name);
  for (int i = 0; i < g->n_locators; i++)
    free (g->locators[i].data);
  free (g);
}

void
vhdgen_set_uuid (struct vhdgen *g, const uint8_t uuid[16])
{
  memcpy (g->uuid, uuid, 16);
}

void
vhdgen_set_creator (struct vhdgen *g, const char app[4])
{
  memcpy (g->creator, app, 4);
}

void
vhdgen_set_geometry (struct vhdgen *g, uint16_t c, uint8_t h, uint8_t s)
{
  g->geometry_set = true;
  g->cylinders = c;
  g->heads = h;
  g->sectors = s;
}

void
vhdgen_set_parent (struct vhdgen *g, const uint8_t uuid[16], const char *name)
{
  memcpy (g->parent_uuid, uuid, 16);
  free (g->parent_name);
  g->parent_name = name ? strdup (name) : NULL;
}

/* UTF-8 to UTF-16 code units (BMP and surrogate pairs). */
static size_t
to_utf16 (const char *s, uint8_t *out, size_t max_units, bool big_endian)
{
  const uint8_t *p = (const uint8_t *) s;
  size_t n = 0;

  while (*p) {
    uint32_t c;
    if (*p < 0x80)
      c = *p++;
    else if ((*p & 0xe0) == 0xc0) {
      c = (p[0] & 0x1f) << 6 | (p[1] & 0x3f);
      p += 2;
    }
    else if ((*p & 0xf0) == 0xe0) {
      c = (p[0] & 0x0f) << 12 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f);
      p += 3;
    }
    else {
      c = (p[0] & 0x07) << 18 | (p[1] & 0x3f) << 12 | (p[2] & 0x3f) << 6
          | (p[3] & 0x3f);
      p += 4;
    }
    uint16_t units[2];
    int k = 0;
    if (c >= 0x10000) {
      c -= 0x10000;
      units[k++] = 0xd800 + (c >> 10);
      units[k++] = 0xdc00 + (c & 0x3ff);
    }
    else
      units[k++] = c;
    for (int i = 0; i < k; i++) {
      if (n >= max_units)
        FAIL ("vhdgen: name too long");
      if (big_endian)
        put_be16 (out + 2 * n, units[i]);
      else {
        out[2 * n] = units[i];
        out[2 * n + 1] = units[i] >> 8;
      }
      n++;
    }
  }
  return n;
}

void
vhdgen_add_locator (struct vhdgen *g, const char code[4], const char *path)
{
  struct vhdgen_locator *l;

  if (g->n_locators >= MAX_LOCATORS)
    FAIL ("vhdgen: too many locators");
  l = &g->locators[g->n_locators++];
  memcpy (l->code, code, 4);
  if (memcmp (code, "W2ku", 4) == 0 || memcmp (code, "W2ru", 4) == 0) {
    size_t max = strlen (path) * 2 + 2;
    l->data = xcalloc (max, 2);
    l->len = 2 * to_utf16 (path, l->data, max, false);
  }
  else {
    l->len = strlen (path);
    l->data = xcalloc (l->len + 1, 1);
    memcpy (l->data, path, l->len);
  }
}

static void
store (struct vhdgen *g, uint64_t offset, const void *buf, size_t len,
       bool mark)
{
  const uint8_t *p = buf;

  if (offset % SECTOR || len % SECTOR || offset + len > g->size)
    FAIL ("vhdgen: bad write at %" PRIu64 " length %zu", offset, len);
  if (g->type == VHDGEN_FIXED) {
    memcpy (g->fixed + offset, buf, len);
    return;
  }
  while (len > 0) {
    uint64_t b = offset / g->block_size, in = offset % g->block_size;
    size_t n = len < g->block_size - in ? len : g->block_size - in;

    vhdgen_allocate (g, offset);
    if (p)
      memcpy (g->blocks[b] + in, p, n);
    if (mark)
      for (uint64_t s = in / SECTOR; s < (in + n) / SECTOR; s++)
        g->bitmaps[b][s / 8] |= 0x80 >> (s % 8);
    if (p)
      p += n;
    offset += n;
    len -= n;
  }
}

void
vhdgen_write (struct vhdgen *g, uint64_t offset, const void *buf, size_t len)
{
  store (g, offset, buf, len, true);
}

void
vhdgen_write_unmarked (struct vhdgen *g, uint64_t offset, const void *buf,
                       size_t len)
{
  store (g, offset, buf, len, false);
}

void
vhdgen_allocate (struct vhdgen *g, uint64_t offset)
{
  uint64_t b = offset / g->block_size;

  if (g->type == VHDGEN_FIXED || g->bitmaps[b])
    return;
  g->bitmaps[b] = xcalloc (g->bitmap_size, 1);
  g->blocks[b] = xcalloc (g->block_size, 1);
}

static void
make_footer (const struct vhdgen *g, uint8_t *f, uint64_t data_offset)
{
  uint16_t c;
  uint8_t h, s;

  memset (f, 0, SECTOR);
  memcpy (f, "conectix", 8);
  put_be32 (f + 8, 2);                  /* features: reserved bit */
  put_be32 (f + 12, 0x00010000);
  put_be64 (f + 16, data_offset);
  put_be32 (f + 24, 0x2a000000);
  memcpy (f + 28, g->creator, 4);
  put_be32 (f + 32, 0x000a0000);
  memcpy (f + 36, "Wi2k", 4);
  put_be64 (f + 40, g->size);
  put_be64 (f + 48, g->size);
  if (g->geometry_set) {
    c = g->cylinders;
    h = g->heads;
    s = g->sectors;
  }
  else
    geometry (g->size / SECTOR, &c, &h, &s);
  put_be16 (f + 56, c);
  f[58] = h;
  f[59] = s;
  put_be32 (f + 60, g->type);
  memcpy (f + 68, g->uuid, 16);
  put_be32 (f + 64, checksum (f, SECTOR));
}

void
vhdgen_save (struct vhdgen *g, const char *name)
{
  uint8_t footer[SECTOR], header[1024] = { 0 };
  uint64_t at, bat_bytes, total;
  uint64_t loc_at[MAX_LOCATORS];
  uint8_t *file;

  if (g->type == VHDGEN_FIXED) {
    file = xcalloc (g->size + SECTOR, 1);
    memcpy (file, g->fixed, g->size);
    make_footer (g, footer, UINT64_MAX);
    memcpy (file + g->size, footer, SECTOR);
    test_write_file (name, file, g->size + SECTOR);
    free (file);
    return;
  }

  /* Place everything. */
  at = 3 * SECTOR;
  for (int i = 0; i < g->n_locators; i++) {
    loc_at[i] = at;
    at += (g->locators[i].len + SECTOR - 1) / SECTOR * SECTOR;
    if (g->locators[i].len == 0)
      at += SECTOR;
  }
  g->bat_offset = at;
  bat_bytes = (g->n_blocks * 4 + SECTOR - 1) / SECTOR * SECTOR;
  at += bat_bytes ? bat_bytes : SECTOR;
  for (uint64_t b = 0; b < g->n_blocks; b++) {
    g->block_sector[b] = UINT32_MAX;
    if (g->bitmaps[b]) {
      g->block_sector[b] = at / SECTOR;
      at += g->bitmap_size + g->block_size;
    }
  }
  total = at + SECTOR;
  file = xcalloc (total, 1);

  make_footer (g, footer, SECTOR);
  memcpy (file, footer, SECTOR);
  memcpy (file + total - SECTOR, footer, SECTOR);

  memcpy (header, "cxsparse", 8);
  put_be64 (header + 8, UINT64_MAX);
  put_be64 (header + 16, g->bat_offset);
  put_be32 (header + 24, 0x00010000);
  put_be32 (header + 28, g->n_blocks);
  put_be32 (header + 32, g->block_size);
  if (g->type == VHDGEN_DIFFERENCING) {
    memcpy (header + 40, g->parent_uuid, 16);
    put_be32 (header + 56, 0x29000000);
    if (g->parent_name)
      to_utf16 (g->parent_name, header + 64, 255, true);
    for (int i = 0; i < g->n_locators; i++) {
      uint8_t *e = header + 576 + 24 * i;
      const struct vhdgen_locator *l = &g->locators[i];
      memcpy (e, l->code, 4);
      /* data space in bytes, as Windows writes it */
      put_be32 (e + 4, (l->len + SECTOR - 1) / SECTOR * SECTOR);
      put_be32 (e + 8, l->len);
      put_be64 (e + 16, loc_at[i]);
      memcpy (file + loc_at[i], l->data, l->len);
    }
  }
  put_be32 (header + 36, checksum (header, sizeof header));
  memcpy (file + SECTOR, header, sizeof header);

  for (uint64_t b = 0; b < g->n_blocks; b++)
    put_be32 (file + g->bat_offset + 4 * b, g->block_sector[b]);
  memset (file + g->bat_offset + 4 * g->n_blocks, 0xff,
          bat_bytes - 4 * g->n_blocks);
  for (uint64_t b = 0; b < g->n_blocks; b++) {
    if (g->bitmaps[b] == NULL)
      continue;
    at = (uint64_t) g->block_sector[b] * SECTOR;
    memcpy (file + at, g->bitmaps[b], g->bitmap_size);
    memcpy (file + at + g->bitmap_size, g->blocks[b], g->block_size);
  }
  test_write_file (name, file, total);
  free (file);
}

uint64_t
vhdgen_bat_offset (const struct vhdgen *g)
{
  return g->bat_offset;
}

uint64_t
vhdgen_block_sector (const struct vhdgen *g, uint64_t block)
{
  return g->block_sector[block];
}

void
vhdgen_fix_header_checksum (const char *name)
{
  uint8_t h[1024];

  test_read_at (name, VHD_HEADER_AT, h, sizeof h);
  memset (h + VHD_HEADER_CHECKSUM, 0, 4);
  test_patch_be32 (name, VHD_HEADER_AT + VHD_HEADER_CHECKSUM,
                   checksum (h, sizeof h));
}

static void
fix_footer_at (const char *name, uint64_t at)
{
  uint8_t f[SECTOR];

  test_read_at (name, at, f, SECTOR);
  if (memcmp (f, "conectix", 8) != 0)
    return;
  memset (f + VHD_FOOTER_CHECKSUM, 0, 4);
  test_patch_be32 (name, at + VHD_FOOTER_CHECKSUM, checksum (f, SECTOR));
}

void
vhdgen_fix_footer_checksums (const char *name)
{
  fix_footer_at (name, 0);
  fix_footer_at (name, test_file_size (name) - SECTOR);
}
