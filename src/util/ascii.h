/* ascii.h: locale-independent ASCII string helpers, for parsing
 * configuration files whose keys and identifiers are ASCII whatever the
 * locale (VMX, OVF). */
#ifndef FERRY_UTIL_ASCII_H
#define FERRY_UTIL_ASCII_H

#include <stdbool.h>
#include <string.h>

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

#endif
