/* path.c: file names and UTF-16 text; see path.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/endian.h"
#include "util/error.h"
#include "util/path.h"

const char *
path_base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

const char *
path_windows_base_name (const char *path)
{
  const char *base = path;

  for (const char *q = path; *q; q++)
    if (*q == '\\' || *q == '/' || (q == path + 1 && *q == ':'))
      base = q + 1;
  return base;
}

bool
path_windows_is_absolute (const char *path)
{
  return (path[0] && path[1] == ':') || (path[0] == '\\' && path[1] == '\\');
}

char *
path_windows_to_posix (const char *path)
{
  char *r;

  while (path[0] == '.' && (path[1] == '\\' || path[1] == '/'))
    path += 2;
  r = strdup (path);
  if (r == NULL) {
    error_set_errno (errno, "strdup");
    return NULL;
  }
  for (char *p = r; *p; p++)
    if (*p == '\\')
      *p = '/';
  return r;
}

static uint32_t
path_utf16_unit (const uint8_t *p, bool big_endian)
{
  return big_endian ? get_be16 (p) : get_le16 (p);
}

char *
path_utf16_to_utf8 (const uint8_t *p, size_t bytes, bool big_endian,
                    size_t *units)
{
  size_t n = bytes / 2, o = 0, i;
  /* A pair gives 4 bytes for 2 units, a single unit at most 3. */
  char *out = malloc (n * 3 + 1);

  if (out == NULL) {
    error_set_errno (errno, "allocating a string");
    return NULL;
  }
  for (i = 0; i < n; i++) {
    uint32_t c = path_utf16_unit (p + 2 * i, big_endian);

    if (c == 0)
      break;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      uint32_t lo = path_utf16_unit (p + 2 * i + 2, big_endian);
      if (lo >= 0xdc00 && lo < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c < 0xe000) {
      error_set ("not valid UTF-16 (lone surrogate 0x%04" PRIX32 ")", c);
      free (out);
      return NULL;
    }
    if (c < 0x80)
      out[o++] = (char) c;
    else if (c < 0x800) {
      out[o++] = (char) (0xc0 | c >> 6);
      out[o++] = (char) (0x80 | (c & 0x3f));
    }
    else if (c < 0x10000) {
      out[o++] = (char) (0xe0 | c >> 12);
      out[o++] = (char) (0x80 | ((c >> 6) & 0x3f));
      out[o++] = (char) (0x80 | (c & 0x3f));
    }
    else {
      out[o++] = (char) (0xf0 | c >> 18);
      out[o++] = (char) (0x80 | ((c >> 12) & 0x3f));
      out[o++] = (char) (0x80 | ((c >> 6) & 0x3f));
      out[o++] = (char) (0x80 | (c & 0x3f));
    }
  }
  out[o] = '\0';
  if (units)
    *units = i;
  return out;
}
