/* vmdk_descriptor.c: the VMDK text descriptor parser.
 *
 * A descriptor is a small text file (or a text area inside a sparse
 * extent): "key = value" lines, extent lines (RW 2048 SPARSE "x.vmdk"),
 * comments.  The input is hostile: it is bounded (VMDK_DESCRIPTOR_MAX),
 * parsed line by line, and every error names its line.  Used by the VMDK
 * driver and, on its own, by callers that only need the description (RDM
 * detection, the fuzzer).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "disk/vmdk.h"
#include "util/checked.h"
#include "util/error.h"
#include "util/vector.h"

DEFINE_VECTOR_TYPE (vmdk_desc_extent_vector, struct vmdk_descriptor_extent);
DEFINE_VECTOR_TYPE (vmdk_desc_entry_vector, struct vmdk_descriptor_entry);

const char *
vmdk_extent_type_name (enum vmdk_extent_type type)
{
  switch (type) {
  case VMDK_EXTENT_SPARSE: return "SPARSE";
  case VMDK_EXTENT_FLAT: return "FLAT";
  case VMDK_EXTENT_ZERO: return "ZERO";
  case VMDK_EXTENT_VMFS: return "VMFS";
  case VMDK_EXTENT_VMFSSPARSE: return "VMFSSPARSE";
  case VMDK_EXTENT_VMFSRDM: return "VMFSRDM";
  case VMDK_EXTENT_VMFSRAW: return "VMFSRAW";
  case VMDK_EXTENT_SESPARSE: return "SESPARSE";
  }
  return "?";
}

const char *
vmdk_access_name (enum vmdk_access access)
{
  switch (access) {
  case VMDK_ACCESS_RW: return "RW";
  case VMDK_ACCESS_RDONLY: return "RDONLY";
  case VMDK_ACCESS_NOACCESS: return "NOACCESS";
  }
  return "?";
}

/* ------------------------------------------------------------------ */
/* Descriptor parser                                                  */
/* ------------------------------------------------------------------ */

struct desc_parser {
  const char *what;
  unsigned line;
  struct vmdk_descriptor *out;
  vmdk_desc_extent_vector extents;
  vmdk_desc_entry_vector entries;
  /* which known keys were seen, to reject duplicates */
  uint32_t seen;
};

static bool
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trim [*s, *s + *n) of blanks on both sides. */
static void
trim (const char **s, size_t *n)
{
  while (*n > 0 && is_blank (**s)) {
    (*s)++;
    (*n)--;
  }
  while (*n > 0 && is_blank ((*s)[*n - 1]))
    (*n)--;
}

static char *
desc_strndup (struct desc_parser *p, const char *s, size_t n)
{
  char *r = strndup (s, n);

  if (r == NULL)
    error_set_errno (errno, "vmdk: %s: line %u", p->what, p->line);
  return r;
}

static bool
parse_dec_u64 (const char *s, size_t n, uint64_t *out)
{
  uint64_t v = 0;

  if (n == 0 || n > 20)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    if (checked_mul_add (v, 10, (uint64_t) (s[i] - '0'), &v))
      return false;
  }
  *out = v;
  return true;
}

static bool
parse_dec_u32 (const char *s, size_t n, uint32_t *out)
{
  uint64_t v;

  if (!parse_dec_u64 (s, n, &v) || v > UINT32_MAX)
    return false;
  *out = (uint32_t) v;
  return true;
}

static bool
parse_hex_u32 (const char *s, size_t n, uint32_t *out)
{
  uint32_t v = 0;

  if (n == 0 || n > 8)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    unsigned d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = v << 4 | d;
  }
  *out = v;
  return true;
}

/* Split the next blank-separated word off [*s, *s + *n); a word starting
 * with '"' runs to the closing quote (which is dropped).  Returns false
 * when there is no word, or on an unterminated quote (*unterminated). */
static bool
next_word (const char **s, size_t *n, const char **word, size_t *len,
           bool *quoted, bool *unterminated)
{
  trim (s, n);
  *quoted = false;
  *unterminated = false;
  if (*n == 0)
    return false;
  if (**s == '"') {
    const char *close = memchr (*s + 1, '"', *n - 1);
    if (close == NULL) {
      *unterminated = true;
      return false;
    }
    *word = *s + 1;
    *len = close - (*s + 1);
    *quoted = true;
    *n -= close + 1 - *s;
    *s = close + 1;
    return true;
  }
  *word = *s;
  *len = 0;
  while (*len < *n && !is_blank ((*s)[*len]))
    (*len)++;
  *s += *len;
  *n -= *len;
  return true;
}

static int
desc_error_bad_value (struct desc_parser *p, const char *key,
                      const char *value, const char *expected)
{
  error_set ("vmdk: %s: line %u: %s = \"%.64s\" is not %s", p->what, p->line,
             key, value, expected);
  return -1;
}

static int
desc_parse_extent (struct desc_parser *p, const char *s, size_t n)
{
  struct vmdk_descriptor_extent e = { .line = p->line };
  const char *w;
  size_t wn;
  bool quoted, unterminated;
  static const struct { const char *name; enum vmdk_extent_type type; }
  types[] = {
    { "SPARSE", VMDK_EXTENT_SPARSE },
    { "FLAT", VMDK_EXTENT_FLAT },
    { "ZERO", VMDK_EXTENT_ZERO },
    { "VMFS", VMDK_EXTENT_VMFS },
    { "VMFSSPARSE", VMDK_EXTENT_VMFSSPARSE },
    { "VMFSRDM", VMDK_EXTENT_VMFSRDM },
    { "VMFSRAW", VMDK_EXTENT_VMFSRAW },
    { "SESPARSE", VMDK_EXTENT_SESPARSE },
  };
  size_t i;

  /* access (already known to be one of the three words) */
  next_word (&s, &n, &w, &wn, &quoted, &unterminated);
  if (wn == 2)
    e.access = VMDK_ACCESS_RW;
  else if (wn == 6)
    e.access = VMDK_ACCESS_RDONLY;
  else
    e.access = VMDK_ACCESS_NOACCESS;

  if (!next_word (&s, &n, &w, &wn, &quoted, &unterminated)
      || !parse_dec_u64 (w, wn, &e.sectors)) {
    error_set ("vmdk: %s: line %u: extent size is missing or not a number",
               p->what, p->line);
    return -1;
  }
  if (!next_word (&s, &n, &w, &wn, &quoted, &unterminated)) {
    error_set ("vmdk: %s: line %u: extent type is missing", p->what, p->line);
    return -1;
  }
  for (i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strlen (types[i].name) == wn && strncasecmp (types[i].name, w, wn) == 0)
      break;
  if (i == sizeof types / sizeof types[0]) {
    error_set ("vmdk: %s: line %u: unknown extent type \"%.*s\"", p->what,
               p->line, (int) (wn > 64 ? 64 : wn), w);
    return -1;
  }
  e.type = types[i].type;

  if (next_word (&s, &n, &w, &wn, &quoted, &unterminated)) {
    if (wn == 0) {
      error_set ("vmdk: %s: line %u: extent file name is empty", p->what,
                 p->line);
      return -1;
    }
    if (memchr (w, '\0', wn)) {
      error_set ("vmdk: %s: line %u: extent file name contains a NUL byte",
                 p->what, p->line);
      return -1;
    }
    e.filename = desc_strndup (p, w, wn);
    if (e.filename == NULL)
      return -1;
    if (next_word (&s, &n, &w, &wn, &quoted, &unterminated)) {
      if (quoted || !parse_dec_u64 (w, wn, &e.offset)) {
        error_set ("vmdk: %s: line %u: extent offset \"%.*s\" is not a "
                   "number", p->what, p->line, (int) (wn > 64 ? 64 : wn), w);
        goto fail;
      }
      trim (&s, &n);
      if (n > 0) {
        error_set ("vmdk: %s: line %u: unexpected text after the extent "
                   "offset", p->what, p->line);
        goto fail;
      }
    }
  }
  if (unterminated) {
    error_set ("vmdk: %s: line %u: unterminated quote in extent line",
               p->what, p->line);
    goto fail;
  }
  if (e.filename == NULL && e.type != VMDK_EXTENT_ZERO) {
    error_set ("vmdk: %s: line %u: %s extent has no file name", p->what,
               p->line, vmdk_extent_type_name (e.type));
    return -1;
  }
  if (vmdk_desc_extent_vector_append (&p->extents, e) == -1) {
    error_prefix ("vmdk: %s: line %u", p->what, p->line);
    goto fail;
  }
  return 0;

fail:
  free (e.filename);
  return -1;
}

enum known_key {
  KEY_VERSION, KEY_CID, KEY_PARENT_CID, KEY_CREATE_TYPE, KEY_PARENT_HINT,
  KEY_ADAPTER, KEY_CYLINDERS, KEY_HEADS, KEY_SECTORS, KEY_HW_VERSION,
  KEY_UUID, KEY_LONG_CONTENT_ID, KEY_OTHER,
};

static enum known_key
known_key (const char *key)
{
  static const char *const names[] = {
    [KEY_VERSION] = "version",
    [KEY_CID] = "CID",
    [KEY_PARENT_CID] = "parentCID",
    [KEY_CREATE_TYPE] = "createType",
    [KEY_PARENT_HINT] = "parentFileNameHint",
    [KEY_ADAPTER] = "ddb.adapterType",
    [KEY_CYLINDERS] = "ddb.geometry.cylinders",
    [KEY_HEADS] = "ddb.geometry.heads",
    [KEY_SECTORS] = "ddb.geometry.sectors",
    [KEY_HW_VERSION] = "ddb.virtualHWVersion",
    [KEY_UUID] = "ddb.uuid",
    [KEY_LONG_CONTENT_ID] = "ddb.longContentID",
  };

  for (unsigned k = 0; k < KEY_OTHER; k++)
    if (strcasecmp (key, names[k]) == 0)
      return k;
  return KEY_OTHER;
}

/* Apply a known key; value is NUL-terminated and owned by the entry list. */
static int
desc_apply_key (struct desc_parser *p, const char *key, const char *value)
{
  struct vmdk_descriptor *d = p->out;
  enum known_key k = known_key (key);
  size_t vn = strlen (value);
  char **str = NULL;
  uint32_t u32;

  if (k == KEY_OTHER)
    return 0;
  if (p->seen & (1u << k)) {
    error_set ("vmdk: %s: line %u: %s is set twice", p->what, p->line, key);
    return -1;
  }
  p->seen |= 1u << k;

  switch (k) {
  case KEY_VERSION:
    if (!parse_dec_u32 (value, vn, &u32))
      return desc_error_bad_value (p, key, value, "a decimal number");
    d->version = u32;
    return 0;
  case KEY_CID:
    if (!parse_hex_u32 (value, vn, &d->cid))
      return desc_error_bad_value (p, key, value, "a 32-bit hex number");
    d->has_cid = true;
    return 0;
  case KEY_PARENT_CID:
    if (!parse_hex_u32 (value, vn, &d->parent_cid))
      return desc_error_bad_value (p, key, value, "a 32-bit hex number");
    return 0;
  case KEY_CYLINDERS:
  case KEY_HEADS:
  case KEY_SECTORS:
    if (!parse_dec_u32 (value, vn, &u32))
      return desc_error_bad_value (p, key, value, "a decimal number");
    if (k == KEY_CYLINDERS)
      d->cylinders = u32;
    else if (k == KEY_HEADS)
      d->heads = u32;
    else
      d->sectors = u32;
    return 0;
  case KEY_HW_VERSION:
    if (!parse_dec_u32 (value, vn, &u32))
      return desc_error_bad_value (p, key, value, "a decimal number");
    d->virtual_hw_version = u32;
    return 0;
  case KEY_CREATE_TYPE: str = &d->create_type; break;
  case KEY_PARENT_HINT: str = &d->parent_filename_hint; break;
  case KEY_ADAPTER: str = &d->adapter_type; break;
  case KEY_UUID: str = &d->uuid; break;
  case KEY_LONG_CONTENT_ID: str = &d->long_content_id; break;
  case KEY_OTHER: break;
  }
  if ((k == KEY_CREATE_TYPE || k == KEY_PARENT_HINT) && vn == 0) {
    error_set ("vmdk: %s: line %u: %s is empty", p->what, p->line, key);
    return -1;
  }
  *str = desc_strndup (p, value, vn);
  return *str ? 0 : -1;
}

static bool
is_key_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
    || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'
    || c == ':';
}

static int
desc_parse_key_value (struct desc_parser *p, const char *s, size_t n,
                      const char *eq)
{
  struct vmdk_descriptor_entry entry = { NULL, NULL };
  const char *k = s, *v = eq + 1;
  size_t kn = eq - s, vn = n - (eq + 1 - s);

  trim (&k, &kn);
  trim (&v, &vn);
  if (kn == 0) {
    error_set ("vmdk: %s: line %u: empty key before '='", p->what, p->line);
    return -1;
  }
  for (size_t i = 0; i < kn; i++) {
    if (!is_key_char (k[i])) {
      error_set ("vmdk: %s: line %u: invalid character in key \"%.*s\"",
                 p->what, p->line, (int) (kn > 64 ? 64 : kn), k);
      return -1;
    }
  }
  if (vn > 0 && v[0] == '"') {
    const char *close = memchr (v + 1, '"', vn - 1);
    const char *rest;
    size_t rn;

    if (close == NULL) {
      error_set ("vmdk: %s: line %u: unterminated quote in the value of %.*s",
                 p->what, p->line, (int) (kn > 64 ? 64 : kn), k);
      return -1;
    }
    rest = close + 1;
    rn = vn - (rest - v);
    trim (&rest, &rn);
    if (rn > 0 && rest[0] != '#') {
      error_set ("vmdk: %s: line %u: unexpected text after the quoted value "
                 "of %.*s", p->what, p->line, (int) (kn > 64 ? 64 : kn), k);
      return -1;
    }
    v++;
    vn = close - v;
  }

  entry.key = desc_strndup (p, k, kn);
  entry.value = desc_strndup (p, v, vn);
  if (entry.key == NULL || entry.value == NULL
      || vmdk_desc_entry_vector_append (&p->entries, entry) == -1) {
    free (entry.key);
    free (entry.value);
    return -1;
  }
  return desc_apply_key (p, entry.key, entry.value);
}

static bool
starts_with_word (const char *s, size_t n, const char *word)
{
  size_t wn = strlen (word);
  return n > wn && memcmp (s, word, wn) == 0 && is_blank (s[wn]);
}

static int
desc_parse_line (struct desc_parser *p, const char *s, size_t n)
{
  const char *eq;

  trim (&s, &n);
  if (n == 0 || s[0] == '#')
    return 0;
  for (size_t i = 0; i < n; i++) {
    if ((unsigned char) s[i] < 0x20 && s[i] != '\t') {
      error_set ("vmdk: %s: line %u: control character 0x%02x (not a text "
                 "descriptor?)", p->what, p->line, (unsigned char) s[i]);
      return -1;
    }
  }
  if (starts_with_word (s, n, "RW") || starts_with_word (s, n, "RDONLY")
      || starts_with_word (s, n, "NOACCESS"))
    return desc_parse_extent (p, s, n);
  eq = memchr (s, '=', n);
  if (eq)
    return desc_parse_key_value (p, s, n, eq);
  error_set ("vmdk: %s: line %u: expected \"key = value\" or an extent line, "
             "found \"%.*s\"", p->what, p->line, (int) (n > 64 ? 64 : n), s);
  return -1;
}

void
vmdk_descriptor_free (struct vmdk_descriptor *d)
{
  if (d == NULL)
    return;
  free (d->create_type);
  free (d->parent_filename_hint);
  free (d->adapter_type);
  free (d->uuid);
  free (d->long_content_id);
  for (size_t i = 0; i < d->n_extents; i++)
    free (d->extents[i].filename);
  free (d->extents);
  for (size_t i = 0; i < d->n_entries; i++) {
    free (d->entries[i].key);
    free (d->entries[i].value);
  }
  free (d->entries);
  memset (d, 0, sizeof *d);
  d->parent_cid = VMDK_CID_NONE;
}

int
vmdk_descriptor_parse (const char *text, size_t len, const char *what,
                       struct vmdk_descriptor *out)
{
  struct desc_parser p = {
    .what = what, .out = out,
    .extents = empty_vector, .entries = empty_vector,
  };
  const char *nul, *s, *end;

  memset (out, 0, sizeof *out);
  out->parent_cid = VMDK_CID_NONE;

  nul = memchr (text, '\0', len);
  if (nul)
    len = nul - text;
  if (len > VMDK_DESCRIPTOR_MAX) {
    error_set ("vmdk: %s: descriptor is larger than %d bytes", what,
               VMDK_DESCRIPTOR_MAX);
    return -1;
  }
  s = text;
  end = text + len;
  while (s < end) {
    const char *nl = memchr (s, '\n', end - s);
    const char *line_end = nl ? nl : end;

    p.line++;
    if (desc_parse_line (&p, s, line_end - s) == -1)
      goto fail;
    s = nl ? nl + 1 : end;
  }
  if (out->create_type == NULL) {
    error_set ("vmdk: %s: descriptor has no createType", what);
    goto fail;
  }
  out->extents = p.extents.ptr;
  out->n_extents = p.extents.len;
  out->entries = p.entries.ptr;
  out->n_entries = p.entries.len;
  return 0;

fail:
  out->extents = p.extents.ptr;
  out->n_extents = p.extents.len;
  out->entries = p.entries.ptr;
  out->n_entries = p.entries.len;
  vmdk_descriptor_free (out);
  return -1;
}

bool
vmdk_descriptor_probe (const char *text, size_t len)
{
  static const char header[] = "# Disk DescriptorFile";
  const char *s = text, *end = text + len;
  const char *key;

  /* The text ends at the first NUL (qemu pads descriptors with one). */
  key = memchr (text, '\0', len);
  if (key)
    end = key;

  /* Blank lines and comments may precede the header comment. */
  for (;;) {
    while (s < end && (is_blank (*s) || *s == '\n'))
      s++;
    if (s >= end || *s != '#')
      return false;
    if ((size_t) (end - s) >= sizeof header - 1
        && strncasecmp (s, header, sizeof header - 1) == 0)
      break;
    s = memchr (s, '\n', end - s);
    if (s == NULL)
      return false;
  }
  for (key = s; (key = memmem (key, end - key, "createType", 10)) != NULL;
       key += 10) {
    const char *q = key + 10;
    while (q < end && is_blank (*q))
      q++;
    if (q < end && *q == '=')
      return true;
  }
  return false;
}
