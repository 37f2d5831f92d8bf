/* ascii.h: locale-independent ASCII string helpers, for parsing
 * configuration files whose keys and identifiers are ASCII whatever the
 * locale (VMX, OVF). */
#ifndef FERRY_UTIL_ASCII_H
#define FERRY_UTIL_ASCII_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/checked.h"

static inline int
ascii_tolower (int c)
{
  return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* strcasecmp for ASCII. */
static inline int
ascii_casecmp (const char *a, const char *b)
{
  for (;; a++, b++) {
    int ca = ascii_tolower ((unsigned char) *a);
    int cb = ascii_tolower ((unsigned char) *b);
    if (ca != cb || ca == 0)
      return ca - cb;
  }
}

/* Whether s starts with prefix, ignoring ASCII case. */
static inline bool
ascii_prefix (const char *s, const char *prefix)
{
  for (; *prefix; s++, prefix++)
    if (ascii_tolower ((unsigned char) *s)
        != ascii_tolower ((unsigned char) *prefix))
      return false;
  return true;
}

/* Whether s ends with suffix, ignoring ASCII case. */
static inline bool
ascii_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);

  return n >= m && ascii_casecmp (s + n - m, suffix) == 0;
}

static inline bool
ascii_is_blank (int c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The value of a hexadecimal digit, or -1. */
static inline int
ascii_hex_digit (int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = ascii_tolower (c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A strict unsigned decimal (digits only, at least one, no overflow);
 * with blanks, surrounding blanks are allowed (XML attribute text). */
static inline bool
ascii_parse_decimal (const char *s, bool blanks, uint64_t *out)
{
  uint64_t v = 0;
  bool any = false;

  while (blanks && ascii_is_blank ((unsigned char) *s))
    s++;
  for (; *s >= '0' && *s <= '9'; s++) {
    if (checked_mul_add (v, 10, (uint64_t) (*s - '0'), &v))
      return false;
    any = true;
  }
  while (blanks && ascii_is_blank ((unsigned char) *s))
    s++;
  if (!any || *s != '\0')
    return false;
  *out = v;
  return true;
}

#endif
