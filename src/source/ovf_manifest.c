/* ovf_manifest.c: the OVF manifest (.mf) parser (ovf_manifest_parse);
 * see ova.h.
 *
 * "ALG(file)= hex" lines, as DSP0243 and VMware's exporters write them;
 * SHA1, SHA256 and SHA512 only.  The text is hostile: its size and line
 * count are bounded and every error names its line.  Checking the digests
 * against the package's files is the reader's (ova.c): this file never
 * opens a file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source/ova.h"
#include "source/ova_internal.h"
#include "util/ascii.h"
#include "util/error.h"

static size_t
digest_hex_len (const char *algorithm)
{
  if (strcmp (algorithm, "SHA1") == 0)
    return 40;
  if (strcmp (algorithm, "SHA256") == 0)
    return 64;
  if (strcmp (algorithm, "SHA512") == 0)
    return 128;
  return 0;
}

void
ovf_digests_free (ovf_digest_vector *digests)
{
  for (size_t i = 0; i < digests->len; i++) {
    free (digests->ptr[i].algorithm);
    free (digests->ptr[i].file);
    free (digests->ptr[i].hex);
  }
  ovf_digest_vector_reset (digests);
}

/* One line: ALG "(" file ")" [blanks] "=" [blanks] hex. */
static int
manifest_line (const char *s, size_t n, const char *what, unsigned line,
               ovf_digest_vector *out)
{
  struct ovf_digest d = { 0 };
  size_t open, close, i, hex_start, want;
  char alg[8];

  for (open = 0; open < n && s[open] != '('; open++)
    ;
  /* The file name may hold ')': the last ")" followed by "=" ends it. */
  for (close = n; close > open; close--) {
    size_t j = close;
    if (s[close - 1] != ')')
      continue;
    while (j < n && (s[j] == ' ' || s[j] == '\t'))
      j++;
    if (j < n && s[j] == '=')
      break;
  }
  if (open >= n || close <= open + 1 || open == 0 || open > 7) {
    error_set ("ova: %s: line %u: expected \"SHA256(file)= digest\"", what,
               line);
    return -1;
  }
  close--;                      /* at ')' */
  for (i = 0; i < open && s[i] != ' '; i++)
    alg[i] = (char) (s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
  alg[i] = '\0';
  want = digest_hex_len (alg);
  if (want == 0) {
    char shown[16];
    error_set ("ova: %s: line %u: unknown digest algorithm \"%s\" (expected "
               "SHA1, SHA256 or SHA512)", what, line,
               ova_printable (alg, shown, sizeof shown));
    return -1;
  }
  i = close + 1;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  i++;                          /* '=' */
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  hex_start = i;
  while (n > hex_start && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  if (n - hex_start != want) {
    error_set ("ova: %s: line %u: a %s digest has %zu hex digits, not %zu",
               what, line, alg, n - hex_start, want);
    return -1;
  }
  for (i = hex_start; i < n; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
          || (c >= 'A' && c <= 'F'))) {
      error_set ("ova: %s: line %u: digest is not hexadecimal", what, line);
      return -1;
    }
  }
  d.algorithm = strdup (alg);
  d.file = strndup (s + open + 1, close - open - 1);
  d.hex = strndup (s + hex_start, n - hex_start);
  if (d.algorithm == NULL || d.file == NULL || d.hex == NULL
      || ovf_digest_vector_append (out, d) == -1) {
    error_set_errno (errno, "ova: %s: allocating", what);
    free (d.algorithm);
    free (d.file);
    free (d.hex);
    return -1;
  }
  for (char *p = d.hex; *p; p++)
    *p = (char) ascii_tolower ((unsigned char) *p);
  return 0;
}

int
ovf_manifest_parse (const char *text, size_t len, const char *what,
                    ovf_digest_vector *out)
{
  size_t pos = 0;
  unsigned line = 0;

  *out = (ovf_digest_vector) empty_vector;
  if (len > OVF_MANIFEST_MAX) {
    error_set ("ova: %s: manifest larger than %d bytes", what,
               OVF_MANIFEST_MAX);
    return -1;
  }
  while (pos < len) {
    const char *s = text + pos;
    const char *nl = memchr (s, '\n', len - pos);
    size_t n = nl ? (size_t) (nl - s) : len - pos;

    pos += n + (nl != NULL);
    line++;
    if (n > 0 && s[n - 1] == '\r')
      n--;
    if (memchr (s, '\0', n)) {
      error_set ("ova: %s: line %u: NUL byte in the manifest", what, line);
      goto fail;
    }
    {
      size_t k = 0;
      while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
      if (k == n)
        continue;
    }
    if (out->len >= OVF_ITEMS_MAX) {
      error_set ("ova: %s: more than %d manifest lines", what, OVF_ITEMS_MAX);
      goto fail;
    }
    if (manifest_line (s, n, what, line, out) == -1)
      goto fail;
  }
  return 0;

fail:
  ovf_digests_free (out);
  return -1;
}
