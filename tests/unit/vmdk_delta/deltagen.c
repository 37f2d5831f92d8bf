/* deltagen.c: see deltagen.h.  Written from the format descriptions, not
 * from the driver: the layouts below are what ESXi writes, simplified
 * (no journal content, no free bitmap or backmap content). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deltagen.h"
#include "disk/vmdk.h"

#define SECTOR 512u

static void
put_le32 (uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t) (v >> (8 * i));
}

static void
put_le64 (uint8_t *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t) (v >> (8 * i));
}

static uint64_t
div_up (uint64_t a, uint64_t b)
{
  return (a + b - 1) / b;
}

static void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size);
  if (p == NULL)
    FAIL ("calloc");
  return p;
}

struct dg_delta *
dg_new (enum dg_kind kind, uint64_t sectors, uint32_t grain_sectors)
{
  struct dg_delta *d = xcalloc (1, sizeof *d);

  if (kind == DG_SESPARSE)
    grain_sectors = 8;
  d->kind = kind;
  d->sectors = sectors;
  d->grain_sectors = grain_sectors;
  d->n_grains = div_up (sectors, grain_sectors);
  d->entry = xcalloc (d->n_grains, 1);
  d->seed = xcalloc (d->n_grains, sizeof *d->seed);
  d->grain_offset = xcalloc (d->n_grains, sizeof *d->grain_offset);
  return d;
}

void
dg_free (struct dg_delta *d)
{
  if (d == NULL)
    return;
  free (d->entry);
  free (d->seed);
  free (d->grain_offset);
  free (d->gt_offset);
  free (d);
}

void
dg_set (struct dg_delta *d, uint64_t first, uint64_t count,
        enum dg_entry entry, uint64_t seed)
{
  if (first + count > d->n_grains)
    FAIL ("dg_set: grains [%" PRIu64 ", +%" PRIu64 ") past %" PRIu64, first,
          count, d->n_grains);
  if (d->kind == DG_COWD && (entry == DG_ZERO || entry == DG_UNMAPPED))
    FAIL ("dg_set: vmfsSparse has no zero or unmapped grains");
  for (uint64_t g = first; g < first + count; g++) {
    d->entry[g] = entry;
    d->seed[g] = seed + g;
  }
}

void
dg_grain_data (const struct dg_delta *d, uint64_t grain, uint8_t *buf)
{
  test_fill_pattern (buf, (size_t) d->grain_sectors * SECTOR,
                     d->seed[grain] * 7919 + 13);
}

static int
open_new (const char *name)
{
  char *p = test_path (name);
  int fd = open (p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd == -1)
    FAIL ("creating %s: %s", p, strerror (errno));
  free (p);
  return fd;
}

static void
write_at (int fd, const void *buf, size_t len, uint64_t offset)
{
  if (pwrite (fd, buf, len, (off_t) offset) != (ssize_t) len)
    FAIL ("pwrite at %" PRIu64 ": %s", offset, strerror (errno));
}

/* Grains that hold data, in storage order (reverse guest order). */
static uint64_t
data_grains (const struct dg_delta *d, uint64_t *order)
{
  uint64_t n = 0;

  for (uint64_t g = d->n_grains; g-- > 0;)
    if (d->entry[g] == DG_DATA)
      order[n++] = g;
  return n;
}

/* Whether GT `gt` (gtes_per_gt grains) has any entry that is not
 * unallocated. */
static bool
gt_used (const struct dg_delta *d, uint64_t gt, uint64_t gtes_per_gt)
{
  for (uint64_t g = gt * gtes_per_gt;
       g < (gt + 1) * gtes_per_gt && g < d->n_grains; g++)
    if (d->entry[g] != DG_UNALLOCATED)
      return true;
  return false;
}

/* vmfsSparse: header (4 sectors), GD at sector 4, GTs, grains. */
static void
write_cowd (struct dg_delta *d, int fd)
{
  uint64_t n_gd = div_up (d->n_grains, DG_COWD_GTES_PER_GT);
  uint64_t gd_sectors = div_up (n_gd * 4, SECTOR);
  uint64_t gt_sectors = DG_COWD_GTES_PER_GT * 4 / SECTOR;
  uint64_t next = 4 + gd_sectors;     /* next free sector */
  uint64_t *order = xcalloc (d->n_grains, sizeof *order);
  uint64_t n_data = data_grains (d, order);
  uint8_t header[2048] = { 0 };
  uint8_t *gd = xcalloc (gd_sectors, SECTOR);
  uint8_t *grain = xcalloc (d->grain_sectors, SECTOR);

  d->gd_offset = 4 * SECTOR;
  d->gt_offset = xcalloc (n_gd, sizeof *d->gt_offset);
  for (uint64_t gt = 0; gt < n_gd; gt++) {
    if (!gt_used (d, gt, DG_COWD_GTES_PER_GT))
      continue;
    d->gt_offset[gt] = next * SECTOR;
    put_le32 (gd + 4 * gt, (uint32_t) next);
    next += gt_sectors;
  }
  for (uint64_t i = 0; i < n_data; i++) {
    uint64_t g = order[i];
    d->grain_offset[g] = next * SECTOR;
    dg_grain_data (d, g, grain);
    write_at (fd, grain, (size_t) d->grain_sectors * SECTOR, next * SECTOR);
    next += d->grain_sectors;
  }
  for (uint64_t gt = 0; gt < n_gd; gt++) {
    uint8_t table[DG_COWD_GTES_PER_GT * 4] = { 0 };
    if (d->gt_offset[gt] == 0)
      continue;
    for (uint64_t i = 0; i < DG_COWD_GTES_PER_GT; i++) {
      uint64_t g = gt * DG_COWD_GTES_PER_GT + i;
      if (g < d->n_grains && d->entry[g] == DG_DATA)
        put_le32 (table + 4 * i, (uint32_t) (d->grain_offset[g] / SECTOR));
    }
    write_at (fd, table, sizeof table, d->gt_offset[gt]);
  }
  write_at (fd, gd, gd_sectors * SECTOR, d->gd_offset);

  memcpy (header, "COWD", 4);
  put_le32 (header + DG_COWD_VERSION, 1);
  put_le32 (header + DG_COWD_FLAGS, 3);
  put_le32 (header + DG_COWD_NUM_SECTORS, (uint32_t) d->sectors);
  put_le32 (header + DG_COWD_GRAIN_SIZE, d->grain_sectors);
  put_le32 (header + DG_COWD_GD_OFFSET, 4);
  put_le32 (header + DG_COWD_NUM_GD_ENTRIES, (uint32_t) n_gd);
  put_le32 (header + 28, (uint32_t) next);             /* freeSector */
  put_le32 (header + 1060, 1);                         /* generation */
  write_at (fd, header, sizeof header, 0);
  d->file_size = next * SECTOR;
  if (ftruncate (fd, (off_t) d->file_size) == -1)
    FAIL ("ftruncate: %s", strerror (errno));
  free (order);
  free (gd);
  free (grain);
}

static uint64_t
se_allocated_entry (uint64_t number)
{
  /* low 12 bits of the grain number in bits 48..59, the rest in 0..47 */
  return UINT64_C (0x3000000000000000) | (number & 0xfff) << 48
    | number >> 12;
}

/* seSparse: const header (sector 0), volatile header (1), journal header
 * (2, 2 sectors), journal (4, 4 sectors), GD, GTs (room for one per GD
 * entry), free bitmap, backmap, grains. */
static void
write_sesparse (struct dg_delta *d, int fd)
{
  uint64_t n_gd = div_up (d->n_grains, DG_SE_GTES_PER_GT);
  uint64_t gd_sectors = div_up (n_gd * 8, SECTOR);
  uint64_t gd_at = 8, gts_at = gd_at + gd_sectors;
  uint64_t gts_sectors = n_gd * 64;
  uint64_t bitmap_at = gts_at + gts_sectors, backmap_at = bitmap_at + 1;
  uint64_t grains_at = backmap_at + 1;
  uint64_t *order = xcalloc (d->n_grains, sizeof *order);
  uint64_t n_data = data_grains (d, order);
  uint64_t n_used = 0;
  uint8_t header[SECTOR] = { 0 }, vol[SECTOR] = { 0 };
  uint8_t *gd = xcalloc (gd_sectors, SECTOR);
  uint8_t *grain = xcalloc (8, SECTOR);

  for (uint64_t gt = 0; gt < n_gd; gt++)
    n_used += gt_used (d, gt, DG_SE_GTES_PER_GT);
  d->gd_offset = gd_at * SECTOR;
  d->gt_offset = xcalloc (n_gd, sizeof *d->gt_offset);
  /* GT numbers in reverse order too. */
  for (uint64_t gt = 0, k = n_used; gt < n_gd; gt++) {
    if (!gt_used (d, gt, DG_SE_GTES_PER_GT))
      continue;
    k--;
    d->gt_offset[gt] = (gts_at + k * 64) * SECTOR;
    put_le64 (gd + 8 * gt, UINT64_C (0x1000000000000000) | k);
  }
  for (uint64_t i = 0; i < n_data; i++) {
    uint64_t g = order[i];
    uint64_t number = d->first_grain_number + i;
    d->grain_offset[g] = (grains_at + number * 8) * SECTOR;
    dg_grain_data (d, g, grain);
    write_at (fd, grain, 8 * SECTOR, d->grain_offset[g]);
  }
  for (uint64_t gt = 0; gt < n_gd; gt++) {
    uint8_t table[DG_SE_GTES_PER_GT * 8] = { 0 };
    if (d->gt_offset[gt] == 0)
      continue;
    for (uint64_t i = 0; i < DG_SE_GTES_PER_GT; i++) {
      uint64_t g = gt * DG_SE_GTES_PER_GT + i, e = 0;
      if (g >= d->n_grains)
        break;
      switch (d->entry[g]) {
      case DG_UNALLOCATED: e = 0; break;
      case DG_UNMAPPED: e = UINT64_C (0x1000000000000000); break;
      case DG_ZERO: e = UINT64_C (0x2000000000000000); break;
      case DG_DATA:
        e = se_allocated_entry ((d->grain_offset[g] / SECTOR - grains_at)
                                / 8);
        break;
      }
      put_le64 (table + 8 * i, e);
    }
    write_at (fd, table, sizeof table, d->gt_offset[gt]);
  }
  write_at (fd, gd, gd_sectors * SECTOR, d->gd_offset);

  put_le64 (header + 0, UINT64_C (0x00000000cafebabe));
  put_le64 (header + DG_SE_VERSION, UINT64_C (0x0000000200000001));
  put_le64 (header + DG_SE_CAPACITY, d->sectors);
  put_le64 (header + DG_SE_GRAIN_SIZE, 8);
  put_le64 (header + DG_SE_GT_SIZE, 64);
  put_le64 (header + DG_SE_VOLATILE_OFFSET, 1);
  put_le64 (header + 88, 1);
  put_le64 (header + 96, 2);                        /* journal header */
  put_le64 (header + 104, 2);
  put_le64 (header + 112, 4);                       /* journal */
  put_le64 (header + 120, 4);
  put_le64 (header + DG_SE_GD_OFFSET, gd_at);
  put_le64 (header + DG_SE_GD_SIZE, gd_sectors);
  put_le64 (header + DG_SE_GT_OFFSET, gts_at);
  put_le64 (header + 152, gts_sectors);
  put_le64 (header + 160, bitmap_at);
  put_le64 (header + 168, 1);
  put_le64 (header + 176, backmap_at);
  put_le64 (header + 184, 1);
  put_le64 (header + DG_SE_GRAINS_OFFSET, grains_at);
  put_le64 (header + 200, (d->first_grain_number + n_data) * 8);
  write_at (fd, header, sizeof header, 0);

  put_le64 (vol + 0, UINT64_C (0x00000000cafecafe));
  put_le64 (vol + 8, n_used);                       /* free GT number */
  put_le64 (vol + 16, 1);                           /* next txn */
  d->volatile_offset = SECTOR;
  write_at (fd, vol, sizeof vol, d->volatile_offset);

  d->file_size = (grains_at + (d->first_grain_number + n_data) * 8) * SECTOR;
  if (ftruncate (fd, (off_t) d->file_size) == -1)
    FAIL ("ftruncate: %s", strerror (errno));
  free (order);
  free (gd);
  free (grain);
}

void
dg_write_extent (struct dg_delta *d, const char *name)
{
  int fd = open_new (name);

  free (d->gt_offset);
  d->gt_offset = NULL;
  if (d->kind == DG_COWD)
    write_cowd (d, fd);
  else
    write_sesparse (d, fd);
  if (close (fd) == -1)
    FAIL ("close: %s", strerror (errno));
}

void
dg_write_descriptor (const char *name, enum dg_kind kind, uint64_t sectors,
                     const char *extent, const char *parent, uint32_t cid,
                     uint32_t parent_cid)
{
  char text[4096], hint[1024] = "";

  if (parent)
    snprintf (hint, sizeof hint, "parentFileNameHint=\"%s\"\n", parent);
  snprintf (text, sizeof text,
            "# Disk DescriptorFile\n"
            "version=1\n"
            "encoding=\"UTF-8\"\n"
            "CID=%08" PRIx32 "\n"
            "parentCID=%08" PRIx32 "\n"
            "isNativeSnapshot=\"no\"\n"
            "createType=\"%s\"\n"
            "%s"
            "\n"
            "# Extent description\n"
            "RW %" PRIu64 " %s \"%s\"\n"
            "\n"
            "# The Disk Data Base\n"
            "#DDB\n"
            "\n"
            "ddb.longContentID = \"0123456789abcdef0123456789abcdef\"\n",
            cid, parent ? parent_cid : VMDK_CID_NONE,
            kind == DG_COWD ? "vmfsSparse" : "seSparse", hint, sectors,
            kind == DG_COWD ? "VMFSSPARSE" : "SESPARSE", extent);
  test_write_text (name, text);
}

void
dg_write_delta (struct dg_delta *d, const char *desc, const char *extent,
                const char *parent, uint32_t cid, uint32_t parent_cid)
{
  dg_write_extent (d, extent);
  dg_write_descriptor (desc, d->kind, d->sectors, extent, parent, cid,
                       parent_cid);
}

void
dg_write_flat_parent (const char *desc, const char *flat, uint64_t sectors,
                      uint32_t cid, uint64_t seed)
{
  char text[2048];
  uint8_t *data = xcalloc (sectors, SECTOR);

  test_fill_pattern (data, sectors * SECTOR, seed);
  test_write_file (flat, data, sectors * SECTOR);
  free (data);
  snprintf (text, sizeof text,
            "# Disk DescriptorFile\n"
            "version=1\n"
            "encoding=\"UTF-8\"\n"
            "CID=%08" PRIx32 "\n"
            "parentCID=ffffffff\n"
            "isNativeSnapshot=\"no\"\n"
            "createType=\"vmfs\"\n"
            "\n"
            "# Extent description\n"
            "RW %" PRIu64 " VMFS \"%s\"\n"
            "\n"
            "# The Disk Data Base\n"
            "#DDB\n"
            "\n"
            "ddb.adapterType = \"lsilogic\"\n"
            "ddb.virtualHWVersion = \"14\"\n",
            cid, sectors, flat);
  test_write_text (desc, text);
}

void
dg_expected (const struct dg_delta *d, const uint8_t *parent_bytes,
             uint8_t *out)
{
  uint64_t gbytes = (uint64_t) d->grain_sectors * SECTOR;
  uint64_t size = d->sectors * SECTOR;
  uint8_t *grain = xcalloc (d->grain_sectors, SECTOR);

  for (uint64_t g = 0; g < d->n_grains; g++) {
    uint64_t at = g * gbytes, n = size - at < gbytes ? size - at : gbytes;
    switch (d->entry[g]) {
    case DG_UNALLOCATED:
      if (parent_bytes)
        memcpy (out + at, parent_bytes + at, n);
      else
        memset (out + at, 0, n);
      break;
    case DG_ZERO:
    case DG_UNMAPPED:
      memset (out + at, 0, n);
      break;
    case DG_DATA:
      dg_grain_data (d, g, grain);
      memcpy (out + at, grain, n);
      break;
    }
  }
  free (grain);
}

struct disk *
dg_open (const char *name, unsigned flags)
{
  char *path = test_path (name);
  struct disk *disk = disk_open (path, NULL, flags);

  if (disk == NULL)
    FAIL ("opening %s: %s", name, error_message ());
  free (path);
  return disk;
}

uint32_t
dg_cid_of (const char *name)
{
  struct disk *disk = dg_open (name, DISK_OPEN_NO_BACKING);
  const struct vmdk_descriptor *desc;
  uint32_t cid;

  desc = vmdk_get_descriptor (disk);
  if (desc == NULL || !desc->has_cid)
    FAIL ("%s has no CID", name);
  cid = desc->cid;
  disk_close (disk);
  return cid;
}

void
dg_expect_disk (const char *name, unsigned flags, const uint8_t *expected,
                uint64_t size)
{
  struct disk *disk = dg_open (name, flags);
  uint8_t *buf = xcalloc (size, 1);
  /* odd-sized pieces cross every grain and GT boundary somewhere */
  const uint64_t piece = 3 * SECTOR + 77;

  if (disk->size != size)
    FAIL ("%s: size %" PRIu64 ", expected %" PRIu64, name, disk->size, size);
  for (uint64_t off = 0; off < size; off += piece) {
    uint64_t n = size - off < piece ? size - off : piece;
    if (disk_pread (disk, buf + off, n, off) == -1)
      FAIL ("%s: disk_pread at %" PRIu64 ": %s", name, off, error_message ());
  }
  for (uint64_t i = 0; i < size; i++)
    if (buf[i] != expected[i])
      FAIL ("%s: byte %" PRIu64 " is 0x%02x, expected 0x%02x", name, i,
            buf[i], expected[i]);
  free (buf);
  disk_close (disk);
}
