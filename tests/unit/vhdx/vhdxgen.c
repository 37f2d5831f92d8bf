/* vhdxgen.c: see vhdxgen.h.  Test code: written for clarity, not speed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imagetest.h"
#include "vhdxgen.h"

#define MiB VHDXGEN_MiB
#define LOG_SECTOR 4096u

struct vhdxgen {
  struct vhdxgen_options o;
  uint8_t data_write_guid[16], file_write_guid[16], disk_id[16];
  uint32_t block_size, ls, ps;
  uint64_t n_blocks, chunk_ratio, bat_entries, bat_region;
  uint64_t *bat;
  uint8_t *img;                 /* the file as it stands */
  size_t len, cap;
  uint8_t *snap;                /* vhdxgen_checkpoint's copy */
  size_t snap_len;
};

static void
put16 (uint8_t *p, uint16_t v)
{
  p[0] = v;
  p[1] = v >> 8;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = v >> (8 * i);
}

static void
put64 (uint8_t *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = v >> (8 * i);
}

static uint32_t
get32 (const uint8_t *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t
get64 (const uint8_t *p)
{
  return get32 (p) | (uint64_t) get32 (p + 4) << 32;
}

/* Bit by bit, deliberately unlike the driver's table. */
uint32_t
vhdxgen_crc32c (const uint8_t *buf, size_t len, size_t checksum_at)
{
  uint32_t crc = 0xFFFFFFFF;

  for (size_t i = 0; i < len; i++) {
    uint8_t byte = (i >= checksum_at && i < checksum_at + 4) ? 0 : buf[i];
    crc ^= byte;
    for (int k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1));
  }
  return ~crc;
}

/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" <-> on-disk bytes (the first
 * three fields little-endian). */
static void
guid_from_string (const char *s, uint8_t g[16])
{
  unsigned v[16];

  if (sscanf (s, "{%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x}",
              &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
              &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14],
              &v[15]) != 16)
    FAIL ("vhdxgen: bad GUID \"%s\"", s);
  static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
                                 8, 9, 10, 11, 12, 13, 14, 15 };
  for (int i = 0; i < 16; i++)
    g[i] = v[order[i]];
}

static void
guid_to_string (const uint8_t g[16], char *out)
{
  sprintf (out, "{%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-"
           "%02X%02X%02X%02X%02X%02X}", g[3], g[2], g[1], g[0], g[5], g[4],
           g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

static void
guid_random (unsigned *state, uint8_t g[16])
{
  for (int i = 0; i < 16; i++) {
    *state = *state * 1103515245u + 12345u;
    g[i] = *state >> 16;
  }
  g[7] = (g[7] & 0x0f) | 0x40;
}

#define GUID_BAT "{2DC27766-F623-4200-9D64-115E9BFD4A08}"
#define GUID_METADATA "{8B7CA206-4790-4B9A-B8FE-575F050F886E}"
#define GUID_FILE_PARAMETERS "{CAA16737-FA36-4D43-B3B6-33F0AA44E76B}"
#define GUID_DISK_SIZE "{2FA54224-CD1B-4876-B211-5DBED83BF4B8}"
#define GUID_PAGE83 "{BECA12AB-B2E6-4523-93EF-C309E000C746}"
#define GUID_LOGICAL "{8141BF1D-A96F-4709-BA47-F233A8FAAB5F}"
#define GUID_PHYSICAL "{CDA348C7-445D-4471-9CC9-E9885251C556}"
#define GUID_LOCATOR "{A8D35F2D-B30B-454D-ABF7-D3D84834AB0C}"
#define GUID_LOCATOR_TYPE "{B04AEFB7-D19E-4A81-B789-25B8E9445913}"

static void
img_reserve (struct vhdxgen *g, size_t len)
{
  if (len <= g->cap) {
    if (len > g->len)
      g->len = len;
    return;
  }
  size_t cap = g->cap ? g->cap : 8 * MiB;
  while (cap < len)
    cap *= 2;
  g->img = realloc (g->img, cap);
  if (g->img == NULL)
    FAIL ("vhdxgen: out of memory");
  memset (g->img + g->cap, 0, cap - g->cap);
  g->cap = cap;
  g->len = len;
}

/* Append `len` bytes (a whole number of MiB) of zeros; returns where. */
static uint64_t
img_alloc (struct vhdxgen *g, uint64_t len)
{
  uint64_t at = (g->len + MiB - 1) / MiB * MiB;
  img_reserve (g, at + len);
  return at;
}

uint64_t
vhdxgen_bat_index (const struct vhdxgen *g, uint64_t block)
{
  return block + block / g->chunk_ratio;
}

static uint64_t
bitmap_bat_index (const struct vhdxgen *g, uint64_t chunk)
{
  return chunk * (g->chunk_ratio + 1) + g->chunk_ratio;
}

uint64_t
vhdxgen_block_file_offset (const struct vhdxgen *g, uint64_t block)
{
  uint64_t e = g->bat[vhdxgen_bat_index (g, block)];
  unsigned st = e & 7;
  return st == VHDXGEN_FULLY_PRESENT || st == VHDXGEN_PARTIALLY_PRESENT
    ? (e >> 20) * MiB : 0;
}

static void
utf16_put (uint8_t *p, const char *s)
{
  for (size_t i = 0; s[i]; i++)
    put16 (p + 2 * i, (uint8_t) s[i]);
}

/* Metadata region: the table and its items. */
static void
render_metadata (struct vhdxgen *g)
{
  uint8_t *m = g->img + VHDXGEN_METADATA_OFFSET;
  uint32_t item_at = 64 * 1024;
  int n = 0;

  memset (m, 0, MiB);
  memcpy (m, "metadata", 8);

#define ITEM(guid, flags, len)                                              \
  do {                                                                      \
    uint8_t *e = m + 32 + 32 * n++;                                         \
    guid_from_string (guid, e);                                             \
    put32 (e + 16, item_at);                                                \
    put32 (e + 20, (len));                                                  \
    put32 (e + 24, (flags));                                                \
  } while (0)

  ITEM (GUID_FILE_PARAMETERS, 4, 8);
  put32 (m + item_at, g->block_size);
  put32 (m + item_at + 4, (g->o.fixed ? 1 : 0) | (g->o.has_parent ? 2 : 0));
  item_at += 4096;
  ITEM (GUID_DISK_SIZE, 6, 8);
  put64 (m + item_at, g->o.size);
  item_at += 4096;
  ITEM (GUID_PAGE83, 6, 16);
  memcpy (m + item_at, g->disk_id, 16);
  item_at += 4096;
  ITEM (GUID_LOGICAL, 6, 4);
  put32 (m + item_at, g->ls);
  item_at += 4096;
  ITEM (GUID_PHYSICAL, 6, 4);
  put32 (m + item_at, g->ps);
  item_at += 4096;

  if (g->o.has_parent) {
    const char *kv[][2] = {
      { "parent_linkage", g->o.parent_linkage },
      { "parent_linkage2", g->o.parent_linkage2 },
      { "relative_path", g->o.relative_path },
      { "absolute_win32_path", g->o.absolute_win32_path },
      { "volume_path", g->o.volume_path },
    };
    uint8_t *p = m + item_at;
    uint16_t count = 0;
    uint32_t str_at;

    for (size_t i = 0; i < 5; i++)
      count += kv[i][1] != NULL;
    guid_from_string (GUID_LOCATOR_TYPE, p);
    put16 (p + 18, count);
    str_at = 20 + 12 * count;
    count = 0;
    for (size_t i = 0; i < 5; i++) {
      uint8_t *e = p + 20 + 12 * count;
      if (kv[i][1] == NULL)
        continue;
      count++;
      put32 (e, str_at);
      put16 (e + 8, 2 * strlen (kv[i][0]));
      utf16_put (p + str_at, kv[i][0]);
      str_at += 2 * strlen (kv[i][0]);
      put32 (e + 4, str_at);
      put16 (e + 10, 2 * strlen (kv[i][1]));
      utf16_put (p + str_at, kv[i][1]);
      str_at += 2 * strlen (kv[i][1]);
    }
    ITEM (GUID_LOCATOR, 4, str_at);
  }
#undef ITEM
  put16 (m + 10, n);
}

static void
render_header (struct vhdxgen *g, uint8_t *img, uint64_t at, uint64_t seq,
               const uint8_t log_guid[16])
{
  uint8_t *h = img + at;

  memset (h, 0, 64 * 1024);
  memcpy (h, "head", 4);
  put64 (h + 8, seq);
  memcpy (h + 16, g->file_write_guid, 16);
  memcpy (h + 32, g->data_write_guid, 16);
  if (log_guid)
    memcpy (h + 48, log_guid, 16);
  put16 (h + 64, 0);            /* LogVersion */
  put16 (h + 66, 1);            /* Version */
  put32 (h + 68, VHDXGEN_LOG_LENGTH);
  put64 (h + 72, VHDXGEN_LOG_OFFSET);
  put32 (h + 4, vhdxgen_crc32c (h, 4096, 4));
}

static void
render_region_table (struct vhdxgen *g, uint64_t at)
{
  uint8_t *r = g->img + at;

  memset (r, 0, 64 * 1024);
  memcpy (r, "regi", 4);
  put32 (r + 8, 2);
  guid_from_string (GUID_BAT, r + 16);
  put64 (r + 16 + 16, VHDXGEN_BAT_OFFSET);
  put32 (r + 16 + 24, g->bat_region);
  put32 (r + 16 + 28, 1);
  guid_from_string (GUID_METADATA, r + 48);
  put64 (r + 48 + 16, VHDXGEN_METADATA_OFFSET);
  put32 (r + 48 + 24, MiB);
  put32 (r + 48 + 28, 1);
  put32 (r + 4, vhdxgen_crc32c (r, 64 * 1024, 4));
}

static void
render (struct vhdxgen *g)
{
  memset (g->img, 0, 64 * 1024);
  memcpy (g->img, "vhdxfile", 8);
  utf16_put (g->img + 8, "ferry vhdxgen");
  render_header (g, g->img, VHDXGEN_HEADER1, 1, NULL);
  render_header (g, g->img, VHDXGEN_HEADER2, 2, NULL);
  render_region_table (g, VHDXGEN_REGION1);
  render_region_table (g, VHDXGEN_REGION2);
  render_metadata (g);
  for (uint64_t i = 0; i < g->bat_entries; i++)
    put64 (g->img + VHDXGEN_BAT_OFFSET + 8 * i, g->bat[i]);
}

struct vhdxgen *
vhdxgen_new (const struct vhdxgen_options *opts)
{
  struct vhdxgen *g = calloc (1, sizeof *g);
  unsigned seed;
  uint64_t n_chunks;

  if (g == NULL)
    FAIL ("vhdxgen: out of memory");
  g->o = *opts;
  g->block_size = opts->block_size ? opts->block_size : MiB;
  g->ls = opts->logical_sector ? opts->logical_sector : 512;
  g->ps = opts->physical_sector ? opts->physical_sector : 4096;
  seed = opts->seed * 7919u + 17u;
  guid_random (&seed, g->data_write_guid);
  guid_random (&seed, g->file_write_guid);
  guid_random (&seed, g->disk_id);
  if (opts->data_write_guid)
    guid_from_string (opts->data_write_guid, g->data_write_guid);

  g->chunk_ratio = ((UINT64_C (1) << 23) * g->ls) / g->block_size;
  g->n_blocks = (opts->size + g->block_size - 1) / g->block_size;
  n_chunks = (g->n_blocks + g->chunk_ratio - 1) / g->chunk_ratio;
  g->bat_entries = opts->has_parent ? n_chunks * (g->chunk_ratio + 1)
    : g->n_blocks + (g->n_blocks ? (g->n_blocks - 1) / g->chunk_ratio : 0);
  g->bat_region = (g->bat_entries * 8 + MiB - 1) / MiB * MiB;
  if (g->bat_region == 0)
    g->bat_region = MiB;
  g->bat = calloc (g->bat_entries + 1, 8);
  if (g->bat == NULL)
    FAIL ("vhdxgen: out of memory");
  img_reserve (g, VHDXGEN_BAT_OFFSET + g->bat_region);
  if (opts->fixed) {
    for (uint64_t b = 0; b < g->n_blocks; b++) {
      uint64_t at = img_alloc (g, g->block_size);
      g->bat[vhdxgen_bat_index (g, b)] = (at / MiB) << 20
                                         | VHDXGEN_FULLY_PRESENT;
    }
  }
  return g;
}

void
vhdxgen_free (struct vhdxgen *g)
{
  free (g->bat);
  free (g->img);
  free (g->snap);
  free (g);
}

void
vhdxgen_set_state (struct vhdxgen *g, uint64_t block, unsigned state)
{
  uint64_t *e = &g->bat[vhdxgen_bat_index (g, block)];

  if (block >= g->n_blocks)
    FAIL ("vhdxgen: block %" PRIu64 " out of range", block);
  if (state == VHDXGEN_FULLY_PRESENT || state == VHDXGEN_PARTIALLY_PRESENT) {
    if ((*e >> 20) == 0)
      *e = (img_alloc (g, g->block_size) / MiB) << 20;
    *e = (*e & ~UINT64_C (7)) | state;
  }
  else
    *e = state;
}

uint64_t
vhdxgen_get_bat_entry (const struct vhdxgen *g, uint64_t index)
{
  if (index >= g->bat_entries)
    FAIL ("vhdxgen: BAT entry %" PRIu64 " out of range", index);
  return g->bat[index];
}

void
vhdxgen_set_bat_entry (struct vhdxgen *g, uint64_t index, uint64_t entry)
{
  if (index >= g->bat_entries)
    FAIL ("vhdxgen: BAT entry %" PRIu64 " out of range", index);
  g->bat[index] = entry;
}

static uint8_t *
bitmap_of (struct vhdxgen *g, uint64_t block)
{
  uint64_t *sb = &g->bat[bitmap_bat_index (g, block / g->chunk_ratio)];

  if ((*sb & 7) != 6)
    *sb = (img_alloc (g, MiB) / MiB) << 20 | 6;
  return g->img + (*sb >> 20) * MiB;
}

void
vhdxgen_write (struct vhdxgen *g, uint64_t offset, const void *buf,
               size_t len)
{
  const uint8_t *p = buf;

  if (offset + len > g->o.size)
    FAIL ("vhdxgen: write past the end of the disk");
  while (len > 0) {
    uint64_t block = offset / g->block_size;
    uint64_t in_block = offset % g->block_size;
    size_t n = len < g->block_size - in_block ? len
                                              : g->block_size - in_block;
    uint64_t *e = &g->bat[vhdxgen_bat_index (g, block)];
    unsigned st = *e & 7;
    bool whole = in_block == 0 && n == g->block_size;

    if (st != VHDXGEN_FULLY_PRESENT && st != VHDXGEN_PARTIALLY_PRESENT) {
      vhdxgen_set_state (g, block, g->o.has_parent && !whole
                         ? VHDXGEN_PARTIALLY_PRESENT : VHDXGEN_FULLY_PRESENT);
      st = *e & 7;
    }
    if (st == VHDXGEN_PARTIALLY_PRESENT) {
      uint8_t *bits = bitmap_of (g, block);
      uint64_t first = (block % g->chunk_ratio) * (g->block_size / g->ls);
      if (in_block % g->ls || n % g->ls)
        FAIL ("vhdxgen: partial write not sector aligned");
      for (uint64_t s = in_block / g->ls; s < (in_block + n) / g->ls; s++)
        bits[(first + s) / 8] |= 1 << ((first + s) % 8);
    }
    memcpy (g->img + (*e >> 20) * MiB + in_block, p, n);
    p += n;
    offset += n;
    len -= n;
  }
}

void
vhdxgen_fill (struct vhdxgen *g, uint64_t offset, size_t len, uint8_t byte)
{
  uint8_t *buf = malloc (len ? len : 1);

  if (buf == NULL)
    FAIL ("vhdxgen: out of memory");
  memset (buf, byte, len);
  vhdxgen_write (g, offset, buf, len);
  free (buf);
}

static void
write_file (const char *name, const uint8_t *buf, size_t len)
{
  char *path = test_path (name);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t done = 0;

  if (fd == -1)
    FAIL ("vhdxgen: %s: %s", path, strerror (errno));
  while (done < len) {
    ssize_t r = write (fd, buf + done, len - done);
    if (r <= 0)
      FAIL ("vhdxgen: writing %s: %s", path, strerror (errno));
    done += r;
  }
  close (fd);
  free (path);
}

void
vhdxgen_save (struct vhdxgen *g, const char *path)
{
  render (g);
  write_file (path, g->img, g->len);
}

void
vhdxgen_checkpoint (struct vhdxgen *g)
{
  render (g);
  free (g->snap);
  g->snap = malloc (g->len);
  if (g->snap == NULL)
    FAIL ("vhdxgen: out of memory");
  memcpy (g->snap, g->img, g->len);
  g->snap_len = g->len;
}

struct log_op {
  uint64_t at, len;
  const uint8_t *data;          /* NULL = zero */
};

static bool
all_zero (const uint8_t *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return false;
  return true;
}

void
vhdxgen_save_with_log (struct vhdxgen *g, const char *path,
                       unsigned max_descriptors, uint64_t first_sequence)
{
  static const uint8_t zeros[LOG_SECTOR];
  struct log_op *ops;
  size_t n_ops = 0, next = 0;
  uint8_t *out, log_guid[16];
  uint64_t log_at = 0, seq = first_sequence;
  unsigned st = 0x5eed;

  if (g->snap == NULL)
    FAIL ("vhdxgen: save_with_log without a checkpoint");
  render (g);
  ops = calloc (g->len / LOG_SECTOR + 1, sizeof *ops);
  out = calloc (1, g->snap_len);
  if (ops == NULL || out == NULL)
    FAIL ("vhdxgen: out of memory");
  memcpy (out, g->snap, g->snap_len);

  for (uint64_t at = VHDXGEN_METADATA_OFFSET; at < g->len; at += LOG_SECTOR) {
    const uint8_t *old = at < g->snap_len ? g->snap + at : zeros;
    const uint8_t *new = g->img + at;
    if (memcmp (old, new, LOG_SECTOR) == 0)
      continue;
    if (all_zero (new, LOG_SECTOR)) {
      if (n_ops && ops[n_ops - 1].data == NULL
          && ops[n_ops - 1].at + ops[n_ops - 1].len == at)
        ops[n_ops - 1].len += LOG_SECTOR;
      else
        ops[n_ops++] = (struct log_op) { at, LOG_SECTOR, NULL };
    }
    else
      ops[n_ops++] = (struct log_op) { at, LOG_SECTOR, new };
  }
  if (n_ops == 0)
    FAIL ("vhdxgen: nothing changed since the checkpoint");

  guid_random (&st, log_guid);
  while (next < n_ops) {
    size_t n = n_ops - next < max_descriptors ? n_ops - next
                                              : max_descriptors;
    size_t n_data = 0, desc_sectors = (64 + 32 * n + LOG_SECTOR - 1)
                                      / LOG_SECTOR;
    uint8_t *e;
    uint64_t len;

    for (size_t i = 0; i < n; i++)
      n_data += ops[next + i].data != NULL;
    len = (desc_sectors + n_data) * LOG_SECTOR;
    if (log_at + len > VHDXGEN_LOG_LENGTH)
      FAIL ("vhdxgen: the changes do not fit in the log");
    e = out + VHDXGEN_LOG_OFFSET + log_at;
    memcpy (e, "loge", 4);
    put32 (e + 8, len);
    put32 (e + 12, 0);          /* Tail: the sequence starts at 0 */
    put64 (e + 16, seq);
    put32 (e + 24, n);
    memcpy (e + 32, log_guid, 16);
    put64 (e + 48, g->snap_len);        /* FlushedFileOffset */
    put64 (e + 56, g->len);             /* LastFileOffset */
    n_data = 0;
    for (size_t i = 0; i < n; i++) {
      const struct log_op *op = &ops[next + i];
      uint8_t *d = e + 64 + 32 * i;
      if (op->data) {
        uint8_t *s = e + (desc_sectors + n_data++) * LOG_SECTOR;
        memcpy (d, "desc", 4);
        memcpy (d + 4, op->data + LOG_SECTOR - 4, 4);
        memcpy (d + 8, op->data, 8);
        memcpy (s, "data", 4);
        put32 (s + 4, seq >> 32);
        memcpy (s + 8, op->data + 8, LOG_SECTOR - 12);
        put32 (s + LOG_SECTOR - 4, (uint32_t) seq);
      }
      else {
        memcpy (d, "zero", 4);
        put64 (d + 8, op->len);
      }
      put64 (d + 16, op->at);
      put64 (d + 24, seq);
    }
    put32 (e + 4, vhdxgen_crc32c (e, len, 4));
    log_at += len;
    next += n;
    seq++;
  }
  /* Header 2 (current) asks for the replay; header 1 is older. */
  render_header (g, out, VHDXGEN_HEADER2, 2, log_guid);
  write_file (path, out, g->snap_len);
  free (out);
  free (ops);
}

static uint8_t *
read_at (const char *name, uint64_t at, size_t len)
{
  uint8_t *buf = malloc (len);

  if (buf == NULL)
    FAIL ("vhdxgen: out of memory");
  test_read_at (name, at, buf, len);
  return buf;
}

void
vhdxgen_read_data_write_guid (const char *path, char *out)
{
  uint8_t *h1 = read_at (path, VHDXGEN_HEADER1, 4096);
  uint8_t *h2 = read_at (path, VHDXGEN_HEADER2, 4096);
  bool ok1 = memcmp (h1, "head", 4) == 0
             && vhdxgen_crc32c (h1, 4096, 4) == get32 (h1 + 4);
  bool ok2 = memcmp (h2, "head", 4) == 0
             && vhdxgen_crc32c (h2, 4096, 4) == get32 (h2 + 4);
  const uint8_t *h;

  if (!ok1 && !ok2)
    FAIL ("vhdxgen: %s has no valid header", path);
  h = ok1 && (!ok2 || get64 (h1 + 8) >= get64 (h2 + 8)) ? h1 : h2;
  guid_to_string (h + 32, out);
  free (h1);
  free (h2);
}

static void
fix (const char *path, uint64_t at, size_t len)
{
  uint8_t *b = read_at (path, at, len);
  uint8_t c[4];

  put32 (c, vhdxgen_crc32c (b, len, 4));
  test_patch (path, at + 4, c, 4);
  free (b);
}

void
vhdxgen_fix_header_checksum (const char *path, uint64_t header_offset)
{
  fix (path, header_offset, 4096);
}

void
vhdxgen_fix_region_checksum (const char *path, uint64_t table_offset)
{
  fix (path, table_offset, 64 * 1024);
}

void
vhdxgen_fix_log_entry_checksum (const char *path, uint64_t entry_offset)
{
  uint8_t *h = read_at (path, entry_offset, 64);
  uint32_t len = get32 (h + 8);

  free (h);
  fix (path, entry_offset, len);
}
