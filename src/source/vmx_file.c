/* vmx_file.c: the VMware key/value parser (vmx_file_*); see vmx.h.
 *
 * Shared by .vmx and .vmsd files: `key = "value"` lines, '#' comments,
 * case-insensitive keys, values escaped as |XX (two hex digits: VMware
 * writes '"' as |22 and '|' as |7C).  The input is hostile: the file, each
 * line and the number of keys are bounded, control bytes are refused,
 * values must be UTF-8 (or plain ASCII when `.encoding` names another
 * character set), and every error names its line.  Entries are sorted by
 * key once so that lookups are binary searches; of a repeated key the last
 * line wins.
 *
 * It parses text it is given: it never opens a file, and never interprets
 * a value (that is the reader's, vmx.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "source/vmx.h"
#include "source/vmx_internal.h"
#include "util/ascii.h"
#include "util/error.h"
#include "util/log.h"
#include "util/vector.h"

DEFINE_VECTOR_TYPE (vmx_entry_vector, struct vmx_entry);

struct vmx_file {
  char *what;
  char *text;                  /* copy of the input, decoded in place */
  struct vmx_entry *entries;   /* sorted by key, one per key */
  size_t n_entries;
};

static bool
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* Whether [s, s + n) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static bool
utf8_valid (const unsigned char *s, size_t n)
{
  size_t i = 0;

  while (i < n) {
    unsigned char c = s[i];
    size_t len;
    uint32_t cp;

    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf)
      len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
      len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
      len = 4, cp = c & 0x07;
    else
      return false;
    if (n - i < len)
      return false;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)
        || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
      return false;
    i += len;
  }
  return true;
}

static bool
is_ascii (const char *s)
{
  for (; *s; s++)
    if ((unsigned char) *s >= 0x80)
      return false;
  return true;
}

const char *
vmx_printable (const char *s, char *buf, size_t size)
{
  size_t i = 0;

  for (; *s && i + 4 < size && i < 64; s++)
    buf[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
  if (*s && i + 4 < size) {
    memcpy (buf + i, "...", 3);
    i += 3;
  }
  buf[i] = '\0';
  return buf;
}

/* Decode |XX escapes of the value in place; returns the new length or -1
 * with the error set. */
static ssize_t
unescape (char *v, size_t n, const char *what, unsigned line,
          const char *key)
{
  size_t out = 0;
  char kbuf[80];

  for (size_t i = 0; i < n; i++) {
    if (v[i] != '|') {
      v[out++] = v[i];
      continue;
    }
    int hi = i + 1 < n ? ascii_hex_digit ((unsigned char) v[i + 1]) : -1;
    int lo = i + 2 < n ? ascii_hex_digit ((unsigned char) v[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      error_set ("vmx: %s: line %u: %s: '|' in a value must be followed by "
                 "two hex digits (|22 for '\"', |7C for '|')", what, line,
                 vmx_printable (key, kbuf, sizeof kbuf));
      return -1;
    }
    if (hi == 0 && lo == 0) {
      error_set ("vmx: %s: line %u: %s: the escape |00 (a NUL byte) is not "
                 "allowed in a value", what, line,
                 vmx_printable (key, kbuf, sizeof kbuf));
      return -1;
    }
    v[out++] = (char) (hi << 4 | lo);
    i += 2;
  }
  v[out] = '\0';
  return out;
}

/* Parse one line [s, s + n) (no newline; writable: the key and value are
 * NUL-terminated in place).  Appends to *entries unless the line is blank
 * or a comment. */
static int
parse_line (char *s, size_t n, const char *what, unsigned line,
            vmx_entry_vector *entries)
{
  char *key, *value, *eq, *end;
  size_t kn, vn;
  ssize_t r;
  char kbuf[80];

  if (n > 0 && s[n - 1] == '\r')
    n--;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = s[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      error_set ("vmx: %s: line %u: control byte 0x%02x: this is not a "
                 "text configuration file", what, line, c);
      return -1;
    }
  }
  while (n > 0 && is_blank (*s))
    s++, n--;
  while (n > 0 && is_blank (s[n - 1]))
    n--;
  if (n == 0 || *s == '#')
    return 0;

  eq = memchr (s, '=', n);
  if (eq == NULL) {
    error_set ("vmx: %s: line %u: expected key = \"value\"", what, line);
    return -1;
  }
  key = s;
  kn = eq - s;
  while (kn > 0 && is_blank (key[kn - 1]))
    kn--;
  if (kn == 0) {
    error_set ("vmx: %s: line %u: '=' without a key before it", what, line);
    return -1;
  }
  for (size_t i = 0; i < kn; i++) {
    unsigned char c = key[i];
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '#' || c == '|') {
      error_set ("vmx: %s: line %u: byte 0x%02x is not allowed in a key",
                 what, line, c);
      return -1;
    }
  }

  value = eq + 1;
  end = s + n;
  while (value < end && is_blank (*value))
    value++;
  if (value < end && *value == '"') {
    char *close = memchr (value + 1, '"', end - (value + 1));
    char *rest;

    key[kn] = '\0';
    if (close == NULL) {
      error_set ("vmx: %s: line %u: %s: unterminated quoted value", what,
                 line, vmx_printable (key, kbuf, sizeof kbuf));
      return -1;
    }
    for (rest = close + 1; rest < end && is_blank (*rest); rest++)
      ;
    if (rest < end && *rest != '#') {
      error_set ("vmx: %s: line %u: %s: text after the closing quote "
                 "(a '\"' inside a value is written |22)", what, line,
                 vmx_printable (key, kbuf, sizeof kbuf));
      return -1;
    }
    value++;
    vn = close - value;
  }
  else {
    /* Unquoted (hand-edited): up to a comment, trimmed. */
    char *hash = memchr (value, '#', end - value);
    vn = (hash ? hash : end) - value;
    while (vn > 0 && is_blank (value[vn - 1]))
      vn--;
    key[kn] = '\0';
  }
  r = unescape (value, vn, what, line, key);
  if (r == -1)
    return -1;

  if (entries->len >= VMX_KEYS_MAX) {
    error_set ("vmx: %s: line %u: more than %d keys", what, line,
               VMX_KEYS_MAX);
    return -1;
  }
  if (vmx_entry_vector_append (entries, (struct vmx_entry) {
        .key = key, .value = value, .line = line }) == -1) {
    error_prefix ("vmx: %s: line %u", what, line);
    return -1;
  }
  return 0;
}

static int
entry_compare (const void *a, const void *b)
{
  const struct vmx_entry *ea = a, *eb = b;
  int c = ascii_casecmp (ea->key, eb->key);

  if (c != 0)
    return c;
  return ea->line < eb->line ? -1 : ea->line > eb->line;
}

/* Sort, keep the last line of each key. */
static void
entries_dedupe (vmx_entry_vector *v, const char *what)
{
  size_t out = 0;

  if (v->len == 0)
    return;
  qsort (v->ptr, v->len, sizeof v->ptr[0], entry_compare);
  for (size_t i = 0; i < v->len; i++) {
    if (out > 0 && ascii_casecmp (v->ptr[out - 1].key, v->ptr[i].key) == 0) {
      char kbuf[80];
      log_debug ("vmx: %s: line %u: %s was already set on line %u; the "
                 "last value wins", what, v->ptr[i].line,
                 vmx_printable (v->ptr[i].key, kbuf, sizeof kbuf),
                 v->ptr[out - 1].line);
      v->ptr[out - 1] = v->ptr[i];
    }
    else
      v->ptr[out++] = v->ptr[i];
  }
  v->len = out;
}

/* Values must be UTF-8, or ASCII when .encoding names something else (the
 * model's strings are UTF-8; converting legacy code pages is not worth a
 * guess). */
static int
entries_check_encoding (const vmx_entry_vector *v, const char *what)
{
  const char *encoding = NULL;
  bool utf8;

  for (size_t i = 0; i < v->len; i++)
    if (ascii_casecmp (v->ptr[i].key, ".encoding") == 0)
      encoding = v->ptr[i].value;
  utf8 = encoding == NULL || ascii_casecmp (encoding, "UTF-8") == 0
    || ascii_casecmp (encoding, "UTF8") == 0;

  for (size_t i = 0; i < v->len; i++) {
    const struct vmx_entry *e = &v->ptr[i];
    char kbuf[80], ebuf[80];

    if (utf8 && !utf8_valid ((const unsigned char *) e->value,
                             strlen (e->value))) {
      error_set ("vmx: %s: line %u: %s: the value is not valid UTF-8", what,
                 e->line, vmx_printable (e->key, kbuf, sizeof kbuf));
      return -1;
    }
    if (!utf8 && !is_ascii (e->value)) {
      error_set ("vmx: %s: line %u: %s: non-ASCII value in a file encoded "
                 "as \"%s\" (only UTF-8 is supported)", what, e->line,
                 vmx_printable (e->key, kbuf, sizeof kbuf),
                 vmx_printable (encoding, ebuf, sizeof ebuf));
      return -1;
    }
  }
  return 0;
}

void
vmx_file_free (struct vmx_file *file)
{
  if (file == NULL)
    return;
  free (file->what);
  free (file->text);
  free (file->entries);
  free (file);
}

int
vmx_file_parse (const char *text, size_t len, const char *what,
                struct vmx_file **out)
{
  struct vmx_file *f;
  vmx_entry_vector entries = empty_vector;
  size_t pos = 0;
  unsigned line = 0;

  *out = NULL;
  if (len > VMX_FILE_MAX) {
    error_set ("vmx: %s: the file is %zu bytes, more than the %d byte limit "
               "of a configuration file", what, len, VMX_FILE_MAX);
    return -1;
  }
  f = calloc (1, sizeof *f);
  if (f == NULL || (f->what = strdup (what)) == NULL
      || (f->text = malloc (len + 1)) == NULL) {
    error_set_errno (errno, "vmx: %s: allocating the parser", what);
    vmx_file_free (f);
    return -1;
  }
  if (len > 0)
    memcpy (f->text, text, len);
  f->text[len] = '\0';

  while (pos < len) {
    char *start = f->text + pos;
    char *nl = memchr (start, '\n', len - pos);
    size_t n = nl ? (size_t) (nl - start) : len - pos;

    line++;
    pos += n + (nl != NULL);
    if (n > VMX_LINE_MAX) {
      error_set ("vmx: %s: line %u: the line is %zu bytes, more than the "
                 "%d byte limit", what, line, n, VMX_LINE_MAX);
      goto fail;
    }
    if (parse_line (start, n, what, line, &entries) == -1)
      goto fail;
  }
  entries_dedupe (&entries, what);
  if (entries_check_encoding (&entries, what) == -1)
    goto fail;
  f->entries = entries.ptr;
  f->n_entries = entries.len;
  *out = f;
  return 0;

 fail:
  free (entries.ptr);
  vmx_file_free (f);
  return -1;
}

static int
entry_key_compare (const void *key, const void *elem)
{
  return ascii_casecmp (key, ((const struct vmx_entry *) elem)->key);
}

const struct vmx_entry *
vmx_file_find (const struct vmx_file *file, const char *key)
{
  if (file == NULL || file->n_entries == 0)
    return NULL;
  return bsearch (key, file->entries, file->n_entries,
                  sizeof file->entries[0], entry_key_compare);
}

const char *
vmx_file_get (const struct vmx_file *file, const char *key)
{
  const struct vmx_entry *e = vmx_file_find (file, key);

  return e ? e->value : NULL;
}

size_t
vmx_file_count (const struct vmx_file *file)
{
  return file ? file->n_entries : 0;
}

const struct vmx_entry *
vmx_file_entry (const struct vmx_file *file, size_t i)
{
  return file && i < file->n_entries ? &file->entries[i] : NULL;
}
