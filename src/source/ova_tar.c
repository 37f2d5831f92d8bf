/* ova_tar.c: the OVA's tar reader (ova_tar_list); see ova.h.
 *
 * Written from POSIX ustar (pax) and the GNU tar format notes.
 *
 * Walks the archive's 512-byte headers and records where each regular
 * file's bytes lie: checksums verified, GNU long names and pax "path" /
 * "size" records applied, each member's data checked to lie inside the
 * archive.  The data is never read here, and a disk is later opened by the
 * image layer as a window of the .ova (disk_open_window), so nothing is
 * unpacked.  It never writes, and never reads past the archive's size.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/ova.h"
#include "source/ova_internal.h"
#include "util/ascii.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"

#define TAR_BLOCK 512u

/* An octal or base-256 numeric header field. */
static bool
tar_number (const uint8_t *field, size_t len, uint64_t *out)
{
  uint64_t v = 0;
  size_t i = 0;

  if (field[0] & 0x80) {
    /* GNU base-256: big-endian two's complement; 0xff = negative. */
    if (field[0] == 0xff)
      return false;
    v = field[0] & 0x7f;
    for (i = 1; i < len; i++) {
      if (v >> 55)
        return false;
      v = v << 8 | field[i];
    }
    *out = v;
    return v <= INT64_MAX;
  }
  while (i < len && field[i] == ' ')
    i++;
  for (; i < len && field[i] >= '0' && field[i] <= '7'; i++) {
    if (v >> 60)
      return false;
    v = v << 3 | (uint64_t) (field[i] - '0');
  }
  for (; i < len; i++)
    if (field[i] != ' ' && field[i] != '\0')
      return false;
  *out = v;
  return true;
}

/* "./a/b" -> "a/b". */
static char *
tar_normalize_name (const char *name, size_t len)
{
  while (len >= 2 && name[0] == '.' && name[1] == '/') {
    name += 2;
    len -= 2;
    while (len > 0 && name[0] == '/') {
      name++;
      len--;
    }
  }
  return strndup (name, len);
}

void
ova_members_free (ova_member_vector *members)
{
  for (size_t i = 0; i < members->len; i++)
    free (members->ptr[i].name);
  ova_member_vector_reset (members);
}

/* Apply the records of a pax extended header: "LEN key=value\n". */
static int
tar_pax_parse (const char *buf, size_t len, const char *what, uint64_t at,
               char **path, uint64_t *size, bool *has_size, bool *sparse)
{
  size_t pos = 0;

  while (pos < len) {
    uint64_t rec_len = 0;
    size_t p = pos, eq;
    const char *key, *value;
    size_t key_len, value_len;

    if (buf[pos] == '\0')       /* padding */
      break;
    while (p < len && buf[p] >= '0' && buf[p] <= '9' && p - pos < 12)
      rec_len = rec_len * 10 + (uint64_t) (buf[p++] - '0');
    if (p == pos || p >= len || buf[p] != ' ' || rec_len > len - pos
        || rec_len <= p - pos + 1 || buf[pos + rec_len - 1] != '\n') {
      error_set ("ova: %s: malformed pax record in the extended header at "
                 "offset %" PRIu64, what, at);
      return -1;
    }
    key = buf + p + 1;
    for (eq = p + 1; eq < pos + rec_len - 1 && buf[eq] != '='; eq++)
      ;
    if (eq >= pos + rec_len - 1) {
      error_set ("ova: %s: pax record without '=' in the extended header at "
                 "offset %" PRIu64, what, at);
      return -1;
    }
    key_len = buf + eq - key;
    value = buf + eq + 1;
    value_len = pos + rec_len - 1 - (eq + 1);
    if (key_len == 4 && memcmp (key, "path", 4) == 0) {
      if (value_len == 0 || value_len > OVA_NAME_MAX
          || memchr (value, '\0', value_len)) {
        error_set ("ova: %s: bad pax path in the extended header at offset %"
                   PRIu64, what, at);
        return -1;
      }
      free (*path);
      *path = tar_normalize_name (value, value_len);
      if (*path == NULL) {
        error_set_errno (errno, "ova: %s: strndup", what);
        return -1;
      }
    }
    else if (key_len == 4 && memcmp (key, "size", 4) == 0) {
      char num[24];
      if (value_len == 0 || value_len >= sizeof num) {
        error_set ("ova: %s: bad pax size in the extended header at offset %"
                   PRIu64, what, at);
        return -1;
      }
      memcpy (num, value, value_len);
      num[value_len] = '\0';
      if (!ascii_parse_decimal (num, true, size) || *size > INT64_MAX) {
        error_set ("ova: %s: bad pax size \"%s\" in the extended header at "
                   "offset %" PRIu64, what, num, at);
        return -1;
      }
      *has_size = true;
    }
    else if (key_len > 11 && memcmp (key, "GNU.sparse.", 11) == 0)
      *sparse = true;
    pos += rec_len;
  }
  return 0;
}

int
ova_tar_list (ova_read_fn read, void *opaque, uint64_t archive_size,
              const char *what, ova_member_vector *out)
{
  uint8_t h[TAR_BLOCK];
  uint64_t at = 0;
  CLEANUP_FREE char *long_name = NULL;
  uint64_t pax_size = 0;
  bool has_pax_size = false, sparse = false;

  *out = (ova_member_vector) empty_vector;
  for (;;) {
    uint64_t size, stored, data, next, sum_u = 0;
    int64_t sum_s = 0;
    bool ustar, posix;
    char type;
    char *name;

    if (at == archive_size) {
      log_debug ("ova: %s: no end-of-archive blocks", what);
      break;
    }
    if (archive_size - at < TAR_BLOCK) {
      error_set ("ova: %s: truncated tar header at offset %" PRIu64
                 " (the archive is %" PRIu64 " bytes)", what, at,
                 archive_size);
      goto fail;
    }
    if (read (opaque, h, sizeof h, at) == -1)
      goto fail;
    {
      bool zero = true;
      for (size_t i = 0; i < sizeof h && zero; i++)
        zero = h[i] == 0;
      if (zero)
        break;
    }
    for (size_t i = 0; i < sizeof h; i++) {
      uint8_t b = i >= 148 && i < 156 ? ' ' : h[i];
      sum_u += b;
      sum_s += (int8_t) b;
    }
    if (!tar_number (h + 148, 8, &stored)
        || (stored != sum_u && (int64_t) stored != sum_s)) {
      error_set ("ova: %s: tar header at offset %" PRIu64 " has a bad "
                 "checksum (stored %.8s, computed 0%" PRIo64 "): not a tar "
                 "archive, or a corrupt one", what, at,
                 ova_printable ((const char *) h + 148, (char[9]) { 0 }, 9),
                 sum_u);
      goto fail;
    }
    if (!tar_number (h + 124, 12, &size)) {
      error_set ("ova: %s: tar header at offset %" PRIu64 " has a bad size "
                 "field", what, at);
      goto fail;
    }
    type = (char) h[156];
    posix = memcmp (h + 257, "ustar\0", 6) == 0;
    ustar = posix || memcmp (h + 257, "ustar ", 6) == 0;
    if ((type == '0' || type == '\0' || type == '7') && has_pax_size)
      size = pax_size;
    data = at + TAR_BLOCK;
    if (checked_add (data, size, &next) || next > archive_size) {
      error_set ("ova: %s: member at offset %" PRIu64 " says it holds %"
                 PRIu64 " bytes, past the end of the archive (%" PRIu64
                 " bytes): truncated?", what, at, size, archive_size);
      goto fail;
    }
    next = data + round_up (size, TAR_BLOCK);
    if (next > archive_size)
      next = archive_size;     /* the last member's padding may be cut */

    switch (type) {
    case 'L':                   /* GNU long name of the next member */
      if (size == 0 || size > OVA_NAME_MAX) {
        error_set ("ova: %s: GNU long name at offset %" PRIu64 " is %" PRIu64
                   " bytes (at most %d)", what, at, size, OVA_NAME_MAX);
        goto fail;
      }
      {
        char buf[OVA_NAME_MAX + 1];
        if (read (opaque, buf, size, data) == -1)
          goto fail;
        buf[size] = '\0';
        free (long_name);
        long_name = tar_normalize_name (buf, strlen (buf));
        if (long_name == NULL) {
          error_set_errno (errno, "ova: %s: strndup", what);
          goto fail;
        }
      }
      break;
    case 'x': {                 /* pax header of the next member */
      CLEANUP_FREE char *buf = NULL;
      if (size > OVA_PAX_MAX) {
        error_set ("ova: %s: pax extended header at offset %" PRIu64 " is %"
                   PRIu64 " bytes (at most %d)", what, at, size, OVA_PAX_MAX);
        goto fail;
      }
      buf = malloc (size + 1);
      if (buf == NULL) {
        error_set_errno (errno, "ova: %s: malloc", what);
        goto fail;
      }
      if (read (opaque, buf, size, data) == -1
          || tar_pax_parse (buf, size, what, at, &long_name, &pax_size,
                            &has_pax_size, &sparse) == -1)
        goto fail;
      break;
    }
    case '0': case '\0': case '7': case 'S': {
      struct ova_member m;

      if (type == 'S' || sparse) {
        error_set ("ova: %s: member at offset %" PRIu64 " is a sparse file, "
                   "whose bytes are not stored in one piece: repack the OVA "
                   "without --sparse", what, at);
        goto fail;
      }
      if (long_name)
        name = steal_pointer (&long_name);
      else {
        char full[256 + 1 + 100 + 1];
        size_t nlen = strnlen ((const char *) h, 100);
        size_t plen = posix ? strnlen ((const char *) h + 345, 155) : 0;
        if (plen)
          snprintf (full, sizeof full, "%.*s/%.*s", (int) plen, h + 345,
                    (int) nlen, h);
        else
          snprintf (full, sizeof full, "%.*s", (int) nlen, h);
        name = tar_normalize_name (full, strlen (full));
        if (name == NULL) {
          error_set_errno (errno, "ova: %s: strndup", what);
          goto fail;
        }
      }
      if (name[0] == '\0') {
        free (name);
        error_set ("ova: %s: member at offset %" PRIu64 " has no name", what,
                   at);
        goto fail;
      }
      for (size_t i = 0; i < out->len; i++) {
        if (strcmp (out->ptr[i].name, name) == 0) {
          char shown[128];
          error_set ("ova: %s: member \"%s\" appears twice (at offsets %"
                     PRIu64 " and %" PRIu64 ")", what,
                     ova_printable (name, shown, sizeof shown),
                     out->ptr[i].offset - TAR_BLOCK, at);
          free (name);
          goto fail;
        }
      }
      if (out->len >= OVA_MEMBERS_MAX) {
        free (name);
        error_set ("ova: %s: more than %d members", what, OVA_MEMBERS_MAX);
        goto fail;
      }
      m = (struct ova_member) { .name = name, .offset = data, .size = size };
      if (ova_member_vector_append (out, m) == -1) {
        free (name);
        goto fail;
      }
      if (!ustar)
        log_debug ("ova: %s: member \"%s\" has a pre-POSIX (v7) header",
                   what, name);
      break;
    }
    default:
      /* Directories, links, devices, global pax headers: nothing to read
       * from them; any pending long name or pax record was theirs. */
      log_debug ("ova: %s: skipping tar entry of type '%c' at offset %"
                 PRIu64, what, type >= 0x20 && type < 0x7f ? type : '?', at);
      break;
    }
    if (type != 'L' && type != 'x') {
      free (long_name);
      long_name = NULL;
      has_pax_size = sparse = false;
    }
    at = next;
  }
  return 0;

fail:
  ova_members_free (out);
  return -1;
}
