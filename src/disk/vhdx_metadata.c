/* vhdx_metadata.c: a VHDX file's metadata region and parent locator.
 *
 * Written from Microsoft's "[MS-VHDX] Virtual Hard Disk v2 (VHDX) File
 * Format" specification.
 *
 * The metadata region (vhdx_read_metadata) is a 64 KiB table of items,
 * each named by a GUID: File Parameters (block size, HasParent), Virtual
 * Disk Size, Virtual Disk ID, logical and physical sector sizes and, for a
 * differencing file, the parent locator: UTF-16 key/value pairs, of which
 * parent_linkage (the parent's DataWriteGuid) and the parent's paths
 * matter (vhdx_read_parent_locator, vhdx_set_backing_path).  Every item
 * must lie inside the region, every value the driver relies on is checked
 * here, and an unknown item marked required is refused.
 *
 * It reads through the log overlay (vhdx_read_file) and never writes; it
 * never opens the parent (disk.c does, from disk->backing_path).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "disk/disk.h"
#include "disk/vhdx_internal.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/endian.h"
#include "util/error.h"
#include "util/log.h"
#include "util/path.h"

#define METADATA_TABLE_SIZE (64 * KiB)
#define METADATA_MAX_ENTRIES 2047u
#define METADATA_ITEM_MAX (1 * MiB)

static const vhdx_guid guid_file_parameters =
  GUID_INIT (0xCAA16737, 0xFA36, 0x4D43,
             0xB3, 0xB6, 0x33, 0xF0, 0xAA, 0x44, 0xE7, 0x6B);
static const vhdx_guid guid_virtual_disk_size =
  GUID_INIT (0x2FA54224, 0xCD1B, 0x4876,
             0xB2, 0x11, 0x5D, 0xBE, 0xD8, 0x3B, 0xF4, 0xB8);
static const vhdx_guid guid_virtual_disk_id =
  GUID_INIT (0xBECA12AB, 0xB2E6, 0x4523,
             0x93, 0xEF, 0xC3, 0x09, 0xE0, 0x00, 0xC7, 0x46);
static const vhdx_guid guid_logical_sector_size =
  GUID_INIT (0x8141BF1D, 0xA96F, 0x4709,
             0xBA, 0x47, 0xF2, 0x33, 0xA8, 0xFA, 0xAB, 0x5F);
static const vhdx_guid guid_physical_sector_size =
  GUID_INIT (0xCDA348C7, 0x445D, 0x4471,
             0x9C, 0xC9, 0xE9, 0x88, 0x52, 0x51, 0xC5, 0x56);
static const vhdx_guid guid_parent_locator =
  GUID_INIT (0xA8D35F2D, 0xB30B, 0x454D,
             0xAB, 0xF7, 0xD3, 0xD8, 0x48, 0x34, 0xAB, 0x0C);
static const vhdx_guid guid_vhdx_locator_type =
  GUID_INIT (0xB04AEFB7, 0xD19E, 0x4A81,
             0xB7, 0x89, 0x25, 0xB8, 0xE9, 0x44, 0x59, 0x13);

/* Parse "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (braces optional) into
 * the on-disk byte order.  Returns 0 or -1 (no error set). */
static int
guid_parse (const char *s, vhdx_guid *g)
{
  uint8_t v[16];
  size_t len = strlen (s);
  int n = 0;

  if (len == 38 && s[0] == '{' && s[37] == '}') {
    s++;
    len = 36;
  }
  if (len != 36)
    return -1;
  for (size_t i = 0; i < 36; i++) {
    int d;
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-')
        return -1;
      continue;
    }
    if (s[i] >= '0' && s[i] <= '9')
      d = s[i] - '0';
    else if (s[i] >= 'a' && s[i] <= 'f')
      d = s[i] - 'a' + 10;
    else if (s[i] >= 'A' && s[i] <= 'F')
      d = s[i] - 'A' + 10;
    else
      return -1;
    if (n % 2 == 0)
      v[n / 2] = (uint8_t) (d << 4);
    else
      v[n / 2] |= (uint8_t) d;
    n++;
  }
  /* v is the textual (big-endian) order; the first three fields are
   * stored little-endian. */
  g->b[0] = v[3]; g->b[1] = v[2]; g->b[2] = v[1]; g->b[3] = v[0];
  g->b[4] = v[5]; g->b[5] = v[4];
  g->b[6] = v[7]; g->b[7] = v[6];
  memcpy (g->b + 8, v + 8, 8);
  return 0;
}

/* A parent locator string (UTF-16LE) as malloc'd UTF-8; NULL with the
 * error set. */
static char *
vhdx_locator_string (struct disk *disk, const uint8_t *p, size_t bytes)
{
  size_t n = bytes / 2, units;
  char *out;

  /* Some writers count a terminating NUL in the length. */
  while (n > 0 && get_le16 (p + 2 * (n - 1)) == 0)
    n--;
  out = path_utf16_to_utf8 (p, 2 * n, false, &units);
  if (out == NULL) {
    error_prefix ("vhdx: %s: parent locator", disk->path);
    return NULL;
  }
  if (units < n) {
    error_set ("vhdx: %s: parent locator string holds a NUL character",
               disk->path);
    free (out);
    return NULL;
  }
  return out;
}

static const char *
locator_get (const struct vhdx_layer *l, const char *key)
{
  for (size_t i = 0; i < l->n_locator; i++)
    if (strcmp (l->locator[i].key, key) == 0)
      return l->locator[i].value;
  return NULL;
}

static int
vhdx_read_parent_locator (struct disk *disk, struct vhdx_layer *l,
                          const uint8_t *item, uint32_t len)
{
  vhdx_guid type;
  uint16_t count;
  const char *s;
  char gs[40];

  if (len < 20) {
    error_set ("vhdx: %s: parent locator is too short (%" PRIu32 " bytes)",
               disk->path, len);
    return -1;
  }
  vhdx_guid_decode (item, &type);
  if (!vhdx_guid_equal (&type, &guid_vhdx_locator_type)) {
    error_set ("vhdx: %s: unsupported parent locator type %s (only VHDX "
               "parents are defined)", disk->path,
               vhdx_guid_format (&type, gs, sizeof gs));
    return -1;
  }
  count = get_le16 (item + 18);
  if (count > MAX_LOCATOR_ENTRIES || 20 + (uint64_t) count * 12 > len) {
    error_set ("vhdx: %s: parent locator has %u entries, more than fit in "
               "its %" PRIu32 " bytes", disk->path, count, len);
    return -1;
  }
  l->locator = calloc (count ? count : 1, sizeof *l->locator);
  if (l->locator == NULL) {
    error_set_errno (errno, "vhdx: %s: calloc", disk->path);
    return -1;
  }
  for (uint16_t i = 0; i < count; i++) {
    const uint8_t *e = item + 20 + 12 * i;
    uint64_t ko = get_le32 (e), vo = get_le32 (e + 4);
    uint64_t kl = get_le16 (e + 8), vl = get_le16 (e + 10);
    struct locator_entry *le = &l->locator[l->n_locator];

    if (kl == 0 || vl == 0 || kl % 2 || vl % 2 || ko + kl > len
        || vo + vl > len) {
      error_set ("vhdx: %s: parent locator entry %u (key at %" PRIu64
                 ", %" PRIu64 " bytes; value at %" PRIu64 ", %" PRIu64
                 " bytes) is empty, odd-sized or outside the locator",
                 disk->path, i, ko, kl, vo, vl);
      return -1;
    }
    le->key = vhdx_locator_string (disk, item + ko, kl);
    if (le->key == NULL)
      return -1;
    le->value = vhdx_locator_string (disk, item + vo, vl);
    if (le->value == NULL) {
      free (le->key);
      return -1;
    }
    l->n_locator++;
    if (locator_get (l, le->key) != le->value) {
      error_set ("vhdx: %s: parent locator lists \"%s\" twice", disk->path,
                 le->key);
      return -1;
    }
    log_debug ("vhdx: %s: parent locator %s = %s", disk->path, le->key,
               le->value);
  }

  s = locator_get (l, "parent_linkage");
  if (s == NULL) {
    error_set ("vhdx: %s: parent locator has no parent_linkage", disk->path);
    return -1;
  }
  if (guid_parse (s, &l->parent_linkage) == -1) {
    error_set ("vhdx: %s: parent_linkage \"%s\" is not a GUID", disk->path,
               s);
    return -1;
  }
  s = locator_get (l, "parent_linkage2");
  if (s != NULL) {
    if (guid_parse (s, &l->parent_linkage2) == -1) {
      error_set ("vhdx: %s: parent_linkage2 \"%s\" is not a GUID",
                 disk->path, s);
      return -1;
    }
    l->has_linkage2 = true;
  }
  return 0;
}

int
vhdx_set_backing_path (struct disk *disk, struct vhdx_layer *l)
{
  const char *rel = locator_get (l, "relative_path");
  static const char *const win_keys[] = {
    "absolute_win32_path", "volume_path",
  };

  if (rel != NULL) {
    disk->backing_path = path_windows_to_posix (rel);
    if (disk->backing_path == NULL)
      goto nomem;
    return 0;
  }
  for (size_t i = 0; i < sizeof win_keys / sizeof win_keys[0]; i++) {
    const char *w = locator_get (l, win_keys[i]), *base;

    if (w == NULL)
      continue;
    base = path_windows_base_name (w);
    if (*base == '\0')
      continue;
    log_debug ("vhdx: %s: no relative_path; %s is \"%s\", looking for \"%s\" "
               "next to this file", disk->path, win_keys[i], w, base);
    disk->backing_path = strdup (base);
    if (disk->backing_path == NULL)
      goto nomem;
    return 0;
  }
  error_set ("vhdx: %s: differencing disk whose parent locator names no "
             "parent file (no relative_path, absolute_win32_path or "
             "volume_path)", disk->path);
  return -1;

nomem:
  error_set_errno (errno, "vhdx: %s: strdup", disk->path);
  return -1;
}

int
vhdx_read_metadata (struct disk *disk, struct vhdx_layer *l)
{
  CLEANUP_FREE uint8_t *table = malloc (METADATA_TABLE_SIZE);
  uint16_t count;
  bool have_params = false, have_size = false, have_logical = false;
  bool have_physical = false, have_locator = false;
  char gs[40];

  if (table == NULL) {
    error_set_errno (errno, "vhdx: %s: malloc", disk->path);
    return -1;
  }
  if (vhdx_read_file (disk, l, table, METADATA_TABLE_SIZE,
                      l->metadata_offset) == -1)
    return -1;
  if (memcmp (table, "metadata", 8) != 0) {
    error_set ("vhdx: %s: metadata region at offset %" PRIu64 " has no "
               "\"metadata\" signature", disk->path, l->metadata_offset);
    return -1;
  }
  count = get_le16 (table + 10);
  if (count > METADATA_MAX_ENTRIES) {
    error_set ("vhdx: %s: metadata table has %u entries (at most %u)",
               disk->path, count, METADATA_MAX_ENTRIES);
    return -1;
  }
  for (uint16_t i = 0; i < count; i++) {
    const uint8_t *e = table + 32 + 32 * i;
    vhdx_guid g;
    uint32_t off = get_le32 (e + 16), len = get_le32 (e + 20);
    uint32_t flags = get_le32 (e + 24);
    bool required = flags & 4;
    CLEANUP_FREE uint8_t *item = NULL;

    vhdx_guid_decode (e, &g);
    for (uint16_t j = 0; j < i; j++) {
      if (memcmp (table + 32 + 32 * j, e, 16) == 0) {
        error_set ("vhdx: %s: metadata item %s is listed twice", disk->path,
                   vhdx_guid_format (&g, gs, sizeof gs));
        return -1;
      }
    }
    if ((len == 0 && off != 0) || (len != 0 && off < METADATA_TABLE_SIZE)
        || len > METADATA_ITEM_MAX
        || (uint64_t) off + len > l->metadata_length) {
      error_set ("vhdx: %s: metadata item %s (offset %" PRIu32 ", length %"
                 PRIu32 ") lies outside the metadata region (length %" PRIu64
                 ")", disk->path, vhdx_guid_format (&g, gs, sizeof gs), off,
                 len, l->metadata_length);
      return -1;
    }
    if (len) {
      item = malloc (len);
      if (item == NULL) {
        error_set_errno (errno, "vhdx: %s: malloc", disk->path);
        return -1;
      }
      if (vhdx_read_file (disk, l, item, len, l->metadata_offset + off) == -1)
        return -1;
    }

#define NEED_LEN(n, what)                                                   \
    if (len < (n)) {                                                        \
      error_set ("vhdx: %s: metadata item %s is %" PRIu32 " bytes, "        \
                 "expected %u", disk->path, what, len, (unsigned) (n));     \
      return -1;                                                            \
    }

    if (vhdx_guid_equal (&g, &guid_file_parameters)) {
      uint32_t fl;
      NEED_LEN (8, "File Parameters");
      l->block_size = get_le32 (item);
      fl = get_le32 (item + 4);
      l->leave_blocks_allocated = fl & 1;
      l->has_parent = fl & 2;
      have_params = true;
    }
    else if (vhdx_guid_equal (&g, &guid_virtual_disk_size)) {
      NEED_LEN (8, "Virtual Disk Size");
      l->disk_size = get_le64 (item);
      have_size = true;
    }
    else if (vhdx_guid_equal (&g, &guid_virtual_disk_id)) {
      NEED_LEN (16, "Virtual Disk ID");
      vhdx_guid_decode (item, &l->disk_id);
      l->has_disk_id = true;
    }
    else if (vhdx_guid_equal (&g, &guid_logical_sector_size)) {
      NEED_LEN (4, "Logical Sector Size");
      l->logical_sector_size = get_le32 (item);
      have_logical = true;
    }
    else if (vhdx_guid_equal (&g, &guid_physical_sector_size)) {
      NEED_LEN (4, "Physical Sector Size");
      l->physical_sector_size = get_le32 (item);
      have_physical = true;
    }
    else if (vhdx_guid_equal (&g, &guid_parent_locator)) {
      if (vhdx_read_parent_locator (disk, l, item, len) == -1)
        return -1;
      have_locator = true;
    }
    else if (required) {
      error_set ("vhdx: %s: unknown metadata item %s is marked required: "
                 "this file needs features ferry does not support",
                 disk->path, vhdx_guid_format (&g, gs, sizeof gs));
      return -1;
    }
    else
      log_debug ("vhdx: %s: ignoring optional metadata item %s",
                 disk->path, vhdx_guid_format (&g, gs, sizeof gs));
#undef NEED_LEN
  }

  if (!have_params || !have_size || !have_logical) {
    error_set ("vhdx: %s: metadata has no %s item", disk->path,
               !have_params ? "File Parameters"
               : !have_size ? "Virtual Disk Size" : "Logical Sector Size");
    return -1;
  }
  if (l->block_size < MiB || l->block_size > 256 * MiB
      || !is_power_of_2 (l->block_size)) {
    error_set ("vhdx: %s: block size %" PRIu32 " is not a power of two "
               "between 1 MiB and 256 MiB", disk->path, l->block_size);
    return -1;
  }
  if (l->logical_sector_size != 512 && l->logical_sector_size != 4096) {
    error_set ("vhdx: %s: logical sector size %" PRIu32 " is neither 512 "
               "nor 4096", disk->path, l->logical_sector_size);
    return -1;
  }
  if (have_physical && l->physical_sector_size != 512
      && l->physical_sector_size != 4096) {
    error_set ("vhdx: %s: physical sector size %" PRIu32 " is neither 512 "
               "nor 4096", disk->path, l->physical_sector_size);
    return -1;
  }
  if (l->disk_size > MAX_DISK_SIZE) {
    error_set ("vhdx: %s: virtual disk size %" PRIu64 " is larger than "
               "64 TiB", disk->path, l->disk_size);
    return -1;
  }
  if (l->disk_size % l->logical_sector_size != 0) {
    error_set ("vhdx: %s: virtual disk size %" PRIu64 " is not a multiple "
               "of the logical sector size %" PRIu32, disk->path,
               l->disk_size, l->logical_sector_size);
    return -1;
  }
  if (l->has_parent && !have_locator) {
    error_set ("vhdx: %s: differencing disk (HasParent) without a parent "
               "locator", disk->path);
    return -1;
  }
  if (!l->has_parent && have_locator)
    log_debug ("vhdx: %s: ignoring a parent locator: HasParent is not set",
               disk->path);
  return 0;
}
