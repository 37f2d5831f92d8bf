/* ova.c: the OVF / OVA source reader; see ova.h.
 *
 * Written from DMTF DSP0243 (OVF 1.x/2.x), POSIX ustar (pax) and the GNU
 * tar format notes, and what VMware's exporters write (vmw:osType,
 * vmw:Config/ExtraConfig, ResourceSubType names).
 *
 * Three parsers, one reader:
 *
 *  - ova_tar_list: walks the archive's 512-byte headers and records where
 *    each regular file's bytes lie.  The data is never read here, and a
 *    disk is later opened by the image layer as a window of the .ova
 *    (disk_open_window), so nothing is unpacked.
 *  - ovf_manifest_parse: "ALG(file)= hex" lines.
 *  - ovf_envelope_parse: libxml2 with no network, no DTD loading and no
 *    entity substitution; a document with a DOCTYPE is refused outright.
 *    Elements and attributes are matched by local name (exporters differ
 *    in prefixes and in OVF 1 vs 2 namespaces); what the model needs and
 *    cannot be read is an error naming the element.
 *
 * The reader (ova_read / ovf_read) ties them: find the descriptor, check
 * every digest of the manifest, map each disk to its file, open it through
 * the window and check that its size is the capacity the descriptor
 * states.  It never writes, never follows a reference out of the package
 * (hrefs must be plain relative names) and never opens the network.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "disk/disk.h"
#include "source/ova.h"
#include "util/ascii.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/log.h"
#include "util/path.h"

#define TAR_BLOCK 512u
#define MAX_VCPUS 4096
#define MAX_MEMORY_MIB (UINT64_C (16) << 20)         /* 16 TiB */
#define MAX_CAPACITY (UINT64_C (1) << 62)
#define HASH_CHUNK (1024 * 1024)

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

static int
set_string (char **dst, const char *src)
{
  char *copy = NULL;

  if (src && (copy = strdup (src)) == NULL) {
    error_set_errno (errno, "strdup");
    return -1;
  }
  free (*dst);
  *dst = copy;
  return 0;
}

/* A printable, bounded copy of untrusted text for messages. */
static const char *
printable (const char *s, char *buf, size_t size)
{
  size_t o = 0;

  for (; s && *s && o + 1 < size; s++)
    buf[o++] = (unsigned char) *s >= 0x20 && (unsigned char) *s < 0x7f
      ? *s : '?';
  buf[o] = '\0';
  return buf;
}

/* ------------------------------------------------------------------ */
/* Tar                                                                */
/* ------------------------------------------------------------------ */

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
                 printable ((const char *) h + 148, (char[9]) { 0 }, 9),
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
                     printable (name, shown, sizeof shown),
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

/* ------------------------------------------------------------------ */
/* Manifest                                                           */
/* ------------------------------------------------------------------ */

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
               printable (alg, shown, sizeof shown));
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

/* ------------------------------------------------------------------ */
/* Envelope                                                           */
/* ------------------------------------------------------------------ */

static bool
is_element (const xmlNode *n, const char *local)
{
  return n && n->type == XML_ELEMENT_NODE
    && strcmp ((const char *) n->name, local) == 0;
}

static xmlNode *
child (const xmlNode *parent, const char *local)
{
  for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
    if (is_element (c, local))
      return c;
  return NULL;
}

/* An attribute by local name, whatever its namespace ("ovf:id", "id"). */
static const char *
attr (const xmlNode *n, const char *local)
{
  for (xmlAttr *a = n->properties; a; a = a->next) {
    if (strcmp ((const char *) a->name, local) == 0 && a->children
        && a->children->type == XML_TEXT_NODE && a->children->next == NULL)
      return (const char *) a->children->content;
    if (strcmp ((const char *) a->name, local) == 0 && a->children == NULL)
      return "";
  }
  return NULL;
}

/* The text of a leaf element (trimmed copy in buf), or NULL when absent.
 * Text longer than the buffer is an error for the caller: NULL with
 * *too_long set. */
struct text_buf {
  char s[OVA_NAME_MAX + 1];
};

static const char *
child_text (const xmlNode *parent, const char *local, struct text_buf *buf)
{
  xmlNode *c = child (parent, local);
  size_t n = 0;

  if (c == NULL)
    return NULL;
  for (xmlNode *t = c->children; t; t = t->next) {
    size_t len;
    if (t->type != XML_TEXT_NODE && t->type != XML_CDATA_SECTION_NODE)
      continue;
    len = strlen ((const char *) t->content);
    if (len > sizeof buf->s - 1 - n)
      len = sizeof buf->s - 1 - n;
    memcpy (buf->s + n, t->content, len);
    n += len;
  }
  buf->s[n] = '\0';
  while (n > 0 && (buf->s[n - 1] == ' ' || buf->s[n - 1] == '\n'
                   || buf->s[n - 1] == '\t' || buf->s[n - 1] == '\r'))
    buf->s[--n] = '\0';
  {
    char *p = buf->s;
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
      p++;
    return p;
  }
}

/* "byte * 2^30", "byte*10^3", "byte", "MegaBytes", "GB" ... -> bytes. */
static bool
parse_units (const char *units, uint64_t *multiplier)
{
  static const struct { const char *name; unsigned shift; } named[] = {
    { "byte", 0 }, { "bytes", 0 }, { "KiloBytes", 10 }, { "KB", 10 },
    { "MegaBytes", 20 }, { "MB", 20 }, { "GigaBytes", 30 }, { "GB", 30 },
    { "TeraBytes", 40 }, { "TB", 40 },
  };
  char compact[64];
  size_t n = 0;
  uint64_t base, exp, v = 1;

  for (const char *s = units; *s; s++) {
    if (*s == ' ' || *s == '\t')
      continue;
    if (n + 1 >= sizeof compact)
      return false;
    compact[n++] = *s;
  }
  compact[n] = '\0';
  for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
    if (ascii_casecmp (compact, named[i].name) == 0) {
      *multiplier = UINT64_C (1) << named[i].shift;
      return true;
    }
  }
  if (!ascii_prefix (compact, "byte*"))
    return false;
  {
    const char *p = compact + 5;
    char *caret = strchr (p, '^');
    char num[24];
    if (caret == NULL || (size_t) (caret - p) >= sizeof num)
      return false;
    memcpy (num, p, caret - p);
    num[caret - p] = '\0';
    if (!ascii_parse_decimal (num, true, &base) || !ascii_parse_decimal (caret + 1, true, &exp)
        || (base != 2 && base != 10) || exp > 63)
      return false;
    while (exp-- > 0)
      if (checked_mul (v, base, &v))
        return false;
  }
  *multiplier = v;
  return true;
}

struct controller {
  const char *instance_id;
  enum vm_bus bus;
  unsigned index;
  const char *model;
};

struct envelope_parser {
  const char *what;
  struct ovf_envelope *env;
  xmlNode *disk_section;
  xmlNode *hardware;
  struct controller *controllers;
  size_t n_controllers;
  const char *configuration;   /* the default deployment option, or NULL */
};

/* An item's label for messages: its ElementName, else its InstanceID. */
static const char *
item_label (const xmlNode *item, char *buf, size_t size)
{
  struct text_buf t;
  const char *name = child_text (item, "ElementName", &t);
  const char *id;

  if (name && *name)
    return printable (name, buf, size);
  id = child_text (item, "InstanceID", &t);
  snprintf (buf, size, "InstanceID %s", id ? id : "?");
  return printable (buf, buf, size);
}

static int
parse_references (struct envelope_parser *p, const xmlNode *refs)
{
  for (xmlNode *f = refs ? refs->children : NULL; f; f = f->next) {
    struct ovf_file file = { 0 };
    const char *id, *href, *size;

    if (!is_element (f, "File"))
      continue;
    id = attr (f, "id");
    href = attr (f, "href");
    size = attr (f, "size");
    if (id == NULL || href == NULL || *href == '\0') {
      error_set ("ovf: %s: line %d: References/File without ovf:id or "
                 "ovf:href", p->what, f->line);
      return -1;
    }
    if (strlen (href) > OVA_NAME_MAX || strlen (id) > OVA_NAME_MAX) {
      error_set ("ovf: %s: line %d: File name too long", p->what, f->line);
      return -1;
    }
    if (size && !(file.has_size = ascii_parse_decimal (size, true, &file.size))) {
      char shown[64];
      error_set ("ovf: %s: line %d: File \"%s\" has a bad ovf:size \"%s\"",
                 p->what, f->line, href,
                 printable (size, shown, sizeof shown));
      return -1;
    }
    for (size_t i = 0; i < p->env->files.len; i++) {
      if (strcmp (p->env->files.ptr[i].id, id) == 0) {
        char shown[64];
        error_set ("ovf: %s: line %d: two References/File have ovf:id "
                   "\"%s\"", p->what, f->line,
                   printable (id, shown, sizeof shown));
        return -1;
      }
    }
    if (p->env->files.len >= OVF_ITEMS_MAX) {
      error_set ("ovf: %s: more than %d files", p->what, OVF_ITEMS_MAX);
      return -1;
    }
    file.id = strdup (id);
    file.href = strdup (href);
    if (file.id == NULL || file.href == NULL
        || ovf_file_vector_append (&p->env->files, file) == -1) {
      free (file.id);
      free (file.href);
      error_set_errno (errno, "ovf: %s: allocating", p->what);
      return -1;
    }
  }
  return 0;
}

static const struct ovf_file *
find_file (struct envelope_parser *p, const char *id)
{
  for (size_t i = 0; i < p->env->files.len; i++)
    if (strcmp (p->env->files.ptr[i].id, id) == 0)
      return &p->env->files.ptr[i];
  return NULL;
}

/* A Disk of DiskSection: its file's href and capacity in bytes. */
static int
disk_section_lookup (struct envelope_parser *p, const xmlNode *item,
                     const char *host, const char **href, uint64_t *capacity)
{
  const char *id, *file_ref, *cap, *units;
  const struct ovf_file *file;
  uint64_t value, mult = 1;
  char label[128], shown[128];

  *href = NULL;
  *capacity = 0;
  if (ascii_prefix (host, "ovf:/file/") || ascii_prefix (host, "/file/")) {
    file = find_file (p, host + (ascii_prefix (host, "ovf:") ? 10 : 6));
    if (file == NULL) {
      error_set ("ovf: %s: line %d: %s: HostResource \"%s\" names no "
                 "References/File", p->what, item->line,
                 item_label (item, label, sizeof label),
                 printable (host, shown, sizeof shown));
      return -1;
    }
    *href = file->href;
    return 0;
  }
  if (ascii_prefix (host, "ovf:/disk/"))
    id = host + 10;
  else if (ascii_prefix (host, "/disk/"))
    id = host + 6;
  else {
    error_set ("ovf: %s: line %d: %s: HostResource \"%s\" is neither "
               "ovf:/disk/ID nor ovf:/file/ID", p->what, item->line,
               item_label (item, label, sizeof label),
               printable (host, shown, sizeof shown));
    return -1;
  }
  for (xmlNode *d = p->disk_section ? p->disk_section->children : NULL; d;
       d = d->next) {
    const char *did;
    if (!is_element (d, "Disk") || (did = attr (d, "diskId")) == NULL
        || strcmp (did, id) != 0)
      continue;
    file_ref = attr (d, "fileRef");
    if (file_ref == NULL) {
      error_set ("ovf: %s: line %d: Disk \"%s\" has no ovf:fileRef (an empty "
                 "disk to be created on import); ferry has no data to copy "
                 "for it", p->what, d->line,
                 printable (id, shown, sizeof shown));
      return -1;
    }
    file = find_file (p, file_ref);
    if (file == NULL) {
      error_set ("ovf: %s: line %d: Disk \"%s\" refers to file \"%s\", which "
                 "References does not list", p->what, d->line,
                 printable (id, label, sizeof label),
                 printable (file_ref, shown, sizeof shown));
      return -1;
    }
    *href = file->href;
    cap = attr (d, "capacity");
    units = attr (d, "capacityAllocationUnits");
    if (cap && cap[0] == '$') {
      log_debug ("ovf: %s: Disk \"%s\": capacity \"%s\" is a property; "
                 "taken from the image", p->what, id, cap);
      return 0;
    }
    if (cap == NULL || !ascii_parse_decimal (cap, true, &value)) {
      error_set ("ovf: %s: line %d: Disk \"%s\" has a bad or missing "
                 "ovf:capacity \"%s\"", p->what, d->line,
                 printable (id, label, sizeof label),
                 printable (cap ? cap : "", shown, sizeof shown));
      return -1;
    }
    if (units && !parse_units (units, &mult)) {
      error_set ("ovf: %s: line %d: Disk \"%s\": unknown "
                 "ovf:capacityAllocationUnits \"%s\"", p->what, d->line,
                 printable (id, label, sizeof label),
                 printable (units, shown, sizeof shown));
      return -1;
    }
    if (checked_mul (value, mult, capacity) || *capacity > MAX_CAPACITY) {
      error_set ("ovf: %s: line %d: Disk \"%s\": capacity %s × %" PRIu64
                 " bytes is too large", p->what, d->line,
                 printable (id, label, sizeof label), cap, mult);
      return -1;
    }
    log_debug ("ovf: %s: Disk \"%s\": file \"%s\", %" PRIu64 " bytes, "
               "format %s", p->what, id, file->href, *capacity,
               attr (d, "format") ? attr (d, "format") : "(none)");
    return 0;
  }
  error_set ("ovf: %s: line %d: %s: HostResource \"%s\" names no Disk of "
             "DiskSection", p->what, item->line,
             item_label (item, label, sizeof label),
             printable (host, shown, sizeof shown));
  return -1;
}

/* Whether an item applies to the default deployment option. */
static bool
item_in_configuration (struct envelope_parser *p, const xmlNode *item)
{
  const char *conf = attr (item, "configuration");
  size_t n;

  if (conf == NULL || p->configuration == NULL)
    return true;
  n = strlen (p->configuration);
  for (const char *s = conf; *s;) {
    size_t len;
    while (*s == ' ')
      s++;
    len = strcspn (s, " ");
    if (len == n && memcmp (s, p->configuration, n) == 0)
      return true;
    s += len;
  }
  return false;
}

static uint64_t
item_type (const xmlNode *item)
{
  struct text_buf t;
  const char *s = child_text (item, "ResourceType", &t);
  uint64_t v;

  return s && ascii_parse_decimal (s, true, &v) ? v : 0;
}

/* VirtualQuantity × AllocationUnits, in bytes / unit_bytes. */
static int
item_quantity (struct envelope_parser *p, const xmlNode *item,
               const char *default_units, uint64_t *out)
{
  struct text_buf t, u;
  const char *q = child_text (item, "VirtualQuantity", &t);
  const char *units = child_text (item, "AllocationUnits", &u);
  char label[128], shown[64];

  if (q == NULL || !ascii_parse_decimal (q, true, out)) {
    error_set ("ovf: %s: line %d: %s: bad or missing VirtualQuantity "
               "\"%s\"", p->what, item->line,
               item_label (item, label, sizeof label),
               printable (q ? q : "", shown, sizeof shown));
    return -1;
  }
  if (default_units) {
    uint64_t mult = 1;
    if (units == NULL || *units == '\0')
      units = default_units;
    if (!parse_units (units, &mult)) {
      error_set ("ovf: %s: line %d: %s: unknown AllocationUnits \"%s\"",
                 p->what, item->line, item_label (item, label, sizeof label),
                 printable (units, shown, sizeof shown));
      return -1;
    }
    if (checked_mul (*out, mult, out)) {
      error_set ("ovf: %s: line %d: %s: quantity is too large", p->what,
                 item->line, item_label (item, label, sizeof label));
      return -1;
    }
  }
  return 0;
}

static const char *
scsi_model (const char *subtype)
{
  if (subtype == NULL)
    return NULL;
  if (ascii_casecmp (subtype, "VirtualSCSI") == 0)
    return "pvscsi";
  if (ascii_casecmp (subtype, "lsilogicsas") == 0)
    return "lsisas1068";
  if (ascii_casecmp (subtype, "lsilogic") == 0)
    return "lsilogic";
  if (ascii_casecmp (subtype, "buslogic") == 0)
    return "buslogic";
  return subtype;
}

static int
collect_controllers (struct envelope_parser *p)
{
  unsigned next_index[VM_BUS_NVME + 1] = { 0 };
  size_t n = 0;

  for (xmlNode *it = p->hardware->children; it; it = it->next)
    if (is_element (it, "Item") || is_element (it, "StorageItem"))
      n++;
  p->controllers = calloc (n ? n : 1, sizeof *p->controllers);
  if (p->controllers == NULL) {
    error_set_errno (errno, "ovf: %s: calloc", p->what);
    return -1;
  }
  for (xmlNode *it = p->hardware->children; it; it = it->next) {
    struct controller c = { 0 };
    struct text_buf t;
    const char *subtype, *address;
    uint64_t type, index;
    xmlNode *id_node;

    if (!(is_element (it, "Item") || is_element (it, "StorageItem"))
        || !item_in_configuration (p, it))
      continue;
    type = item_type (it);
    subtype = child_text (it, "ResourceSubType", &t);
    switch (type) {
    case 5: c.bus = VM_BUS_IDE; break;
    case 6: c.bus = VM_BUS_SCSI; break;
    case 20:
      c.bus = subtype && ascii_casecmp (subtype, "vmware.nvme.controller") == 0
        ? VM_BUS_NVME : VM_BUS_SATA;
      break;
    default:
      continue;
    }
    id_node = child (it, "InstanceID");
    if (id_node == NULL || id_node->children == NULL
        || id_node->children->type != XML_TEXT_NODE) {
      char label[128];
      error_set ("ovf: %s: line %d: controller %s has no InstanceID",
                 p->what, it->line, item_label (it, label, sizeof label));
      return -1;
    }
    c.instance_id = (const char *) id_node->children->content;
    {
      const char *model = c.bus == VM_BUS_SCSI ? scsi_model (subtype)
        : c.bus == VM_BUS_SATA ? "ahci" : c.bus == VM_BUS_NVME ? "nvme"
        : NULL;
      /* A copy: subtype lives in a buffer of this loop. */
      if (model)
        c.model = (const char *) xmlStrdup ((const xmlChar *) model);
    }
    address = child_text (it, "Address", &t);
    if (address && ascii_parse_decimal (address, true, &index) && index < 64)
      c.index = index;
    else
      c.index = next_index[c.bus];
    next_index[c.bus] = c.index + 1;
    p->controllers[p->n_controllers++] = c;
  }
  return 0;
}

static void
controllers_free (struct envelope_parser *p)
{
  for (size_t i = 0; i < p->n_controllers; i++)
    xmlFree ((void *) p->controllers[i].model);
  free (p->controllers);
  p->controllers = NULL;
  p->n_controllers = 0;
}

static int
item_parent (struct envelope_parser *p, const xmlNode *item,
             const struct controller **out, unsigned *unit)
{
  struct text_buf t, u;
  const char *parent = child_text (item, "Parent", &t);
  const char *address = child_text (item, "AddressOnParent", &u);
  uint64_t v = 0;
  char label[128], shown[64];

  *out = NULL;
  *unit = 0;
  if (address && *address) {
    if (!ascii_parse_decimal (address, true, &v) || v > 1024) {
      error_set ("ovf: %s: line %d: %s: bad AddressOnParent \"%s\"",
                 p->what, item->line, item_label (item, label, sizeof label),
                 printable (address, shown, sizeof shown));
      return -1;
    }
    *unit = v;
  }
  if (parent == NULL)
    return 0;
  for (size_t i = 0; i < p->n_controllers; i++) {
    if (strcmp (p->controllers[i].instance_id, parent) == 0) {
      *out = &p->controllers[i];
      return 0;
    }
  }
  error_set ("ovf: %s: line %d: %s: Parent \"%s\" names no controller",
             p->what, item->line, item_label (item, label, sizeof label),
             printable (parent, shown, sizeof shown));
  return -1;
}

static int
parse_disk_item (struct envelope_parser *p, const xmlNode *item)
{
  struct vm_disk d = { 0 };
  const struct controller *c;
  struct text_buf t;
  const char *host = child_text (item, "HostResource", &t);
  const char *href;
  char label[128];

  if (host == NULL || *host == '\0') {
    error_set ("ovf: %s: line %d: disk %s has no HostResource", p->what,
               item->line, item_label (item, label, sizeof label));
    return -1;
  }
  if (disk_section_lookup (p, item, host, &href, &d.capacity) == -1
      || item_parent (p, item, &c, &d.unit) == -1)
    return -1;
  if (c) {
    d.bus = c->bus;
    d.controller = c->index;
  }
  if (p->env->vm.disks.len >= OVF_ITEMS_MAX) {
    error_set ("ovf: %s: too many disks", p->what);
    return -1;
  }
  for (size_t i = 0; i < p->env->vm.disks.len; i++) {
    if (strcmp (p->env->vm.disks.ptr[i].path, href) == 0) {
      error_set ("ovf: %s: line %d: %s uses file \"%s\", as another disk "
                 "does", p->what, item->line,
                 item_label (item, label, sizeof label), href);
      return -1;
    }
  }
  if (set_string (&d.path, href) == -1
      || set_string (&d.controller_model, c ? c->model : NULL) == -1
      || vm_disk_vector_append (&p->env->vm.disks, d) == -1) {
    free (d.path);
    free (d.controller_model);
    return -1;
  }
  return 0;
}

static int
parse_cdrom_item (struct envelope_parser *p, const xmlNode *item)
{
  struct vm_cdrom cd = { 0 };
  const struct controller *c;

  if (item_parent (p, item, &c, &cd.unit) == -1)
    return -1;
  if (c) {
    cd.bus = c->bus;
    cd.controller = c->index;
  }
  /* An ISO packed with the OVF is not described: a CD-ROM is media, not
   * the VM's data, and the target sees an empty drive. */
  if (vm_cdrom_vector_append (&p->env->vm.cdroms, cd) == -1)
    return -1;
  return 0;
}

static int
parse_nic_item (struct envelope_parser *p, const xmlNode *item)
{
  struct vm_nic nic = { .connected = true };
  struct text_buf t;
  const char *s;
  char model[64], mac[VM_MAC_SIZE], label[128], shown[64];

  s = child_text (item, "ResourceSubType", &t);
  if (s && *s) {
    size_t i;
    if (ascii_casecmp (s, "PCNet32") == 0)
      s = "vlance";
    for (i = 0; s[i] && i + 1 < sizeof model; i++)
      model[i] = (char) ascii_tolower ((unsigned char) s[i]);
    model[i] = '\0';
    if (set_string (&nic.model, printable (model, model, sizeof model)) == -1)
      goto fail;
  }
  s = child_text (item, "AutomaticAllocation", &t);
  if (s && *s) {
    if (ascii_casecmp (s, "true") == 0 || strcmp (s, "1") == 0)
      nic.connected = true;
    else if (ascii_casecmp (s, "false") == 0 || strcmp (s, "0") == 0)
      nic.connected = false;
    else {
      error_set ("ovf: %s: line %d: %s: AutomaticAllocation \"%s\" is not a "
                 "boolean", p->what, item->line,
                 item_label (item, label, sizeof label),
                 printable (s, shown, sizeof shown));
      goto fail;
    }
  }
  s = child_text (item, "Address", &t);
  if (s && *s) {
    if (!vm_mac_normalize (s, mac)) {
      error_set ("ovf: %s: line %d: %s: Address \"%s\" is not a MAC "
                 "address", p->what, item->line,
                 item_label (item, label, sizeof label),
                 printable (s, shown, sizeof shown));
      goto fail;
    }
    if (set_string (&nic.mac, mac) == -1)
      goto fail;
  }
  s = child_text (item, "Connection", &t);
  if (s && *s && set_string (&nic.network, s) == -1)
    goto fail;
  if (p->env->vm.nics.len >= OVF_ITEMS_MAX) {
    error_set ("ovf: %s: too many network adapters", p->what);
    goto fail;
  }
  if (vm_nic_vector_append (&p->env->vm.nics, nic) == -1)
    goto fail;
  return 0;

fail:
  free (nic.model);
  free (nic.mac);
  free (nic.network);
  return -1;
}

static bool
config_true (const char *v)
{
  return v && (ascii_casecmp (v, "true") == 0 || strcmp (v, "1") == 0);
}

/* vmw:Config / vmw:ExtraConfig key/value pairs of the hardware section. */
static int
parse_vmware_config (struct envelope_parser *p, const xmlNode *n)
{
  struct vm *vm = &p->env->vm;
  const char *key = attr (n, "key"), *value = attr (n, "value");

  if (key == NULL || value == NULL)
    return 0;
  if (strcmp (key, "firmware") == 0) {
    if (ascii_casecmp (value, "efi") == 0)
      vm->firmware = VM_FIRMWARE_UEFI;
    else if (ascii_casecmp (value, "bios") == 0)
      vm->firmware = VM_FIRMWARE_BIOS;
    else
      log_debug ("ovf: %s: firmware \"%s\" unknown", p->what, value);
  }
  else if (strcmp (key, "bootOptions.efiSecureBootEnabled") == 0
           || ascii_casecmp (key, "uefi.secureBoot.enabled") == 0)
    vm->secure_boot = config_true (value);
  else if (strcmp (key, "cpuHotAddEnabled") == 0
           || ascii_casecmp (key, "vcpu.hotadd") == 0)
    vm->cpu_hot_add = config_true (value);
  else if (strcmp (key, "memoryHotAddEnabled") == 0
           || ascii_casecmp (key, "mem.hotadd") == 0)
    vm->memory_hot_add = config_true (value);
  else if (strcmp (key, "changeTrackingEnabled") == 0
           || ascii_casecmp (key, "ctkEnabled") == 0)
    vm->cbt = config_true (value);
  else if (ascii_casecmp (key, "vtpm.present") == 0)
    vm->tpm = config_true (value);
  return 0;
}

/* CIM_OperatingSystem.OsType values (DSP0243 OperatingSystemSection). */
static enum vm_os_family
cim_os_family (uint64_t id)
{
  static const uint16_t windows[] = {
    16, 17, 18, 19, 58, 63, 67, 69, 70, 71, 72, 73, 74, 75, 76, 77, 103,
    105, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121,
  };
  static const uint16_t linux_ids[] = {
    36, 79, 80, 82, 83, 84, 86, 88, 89, 90, 91, 93, 94, 95, 96, 97, 98, 99,
    100, 101, 106, 107, 108, 109,
  };
  static const uint16_t other[] = { 29, 42, 43, 65, 78, 81 };

  for (size_t i = 0; i < sizeof windows / sizeof *windows; i++)
    if (id == windows[i])
      return VM_OS_WINDOWS;
  for (size_t i = 0; i < sizeof linux_ids / sizeof *linux_ids; i++)
    if (id == linux_ids[i])
      return VM_OS_LINUX;
  for (size_t i = 0; i < sizeof other / sizeof *other; i++)
    if (id == other[i])
      return VM_OS_OTHER;
  return VM_OS_UNKNOWN;
}

static int
parse_os (struct envelope_parser *p, const xmlNode *os)
{
  struct vm *vm = &p->env->vm;
  const char *type, *id;
  uint64_t cim = 0;
  bool has_cim;
  struct text_buf t;

  if (os == NULL)
    return 0;
  type = attr (os, "osType");
  id = attr (os, "id");
  has_cim = id && ascii_parse_decimal (id, true, &cim);
  if (type && *type) {
    char shown[128];
    if (set_string (&vm->guest_os, printable (type, shown, sizeof shown))
        == -1)
      return -1;
    vm->os_family = vm_os_family_from_vmware_id (type);
  }
  else {
    const char *desc = child_text (os, "Description", &t);
    char shown[128];
    if (desc && *desc)
      printable (desc, shown, sizeof shown);
    else if (has_cim)
      snprintf (shown, sizeof shown, "cim-os-%" PRIu64, cim);
    else
      shown[0] = '\0';
    if (shown[0] && set_string (&vm->guest_os, shown) == -1)
      return -1;
  }
  if (vm->os_family == VM_OS_UNKNOWN && has_cim)
    vm->os_family = cim_os_family (cim);
  return 0;
}

/* "vmx-19", "vmx-07 vmx-08": the highest vmx version, as "vmx-NN". */
static int
parse_system_type (struct envelope_parser *p, const char *type)
{
  uint64_t best = 0;
  char hw[32];                  /* "vmx-" and any uint64_t */

  for (const char *s = type; *s;) {
    size_t len;
    char tok[32];
    uint64_t v;

    while (*s == ' ' || *s == ',')
      s++;
    len = strcspn (s, " ,");
    if (len > 4 && len < sizeof tok && ascii_prefix (s, "vmx-")) {
      memcpy (tok, s + 4, len - 4);
      tok[len - 4] = '\0';
      if (ascii_parse_decimal (tok, true, &v) && v < 1000 && v > best)
        best = v;
    }
    s += len;
  }
  if (best == 0)
    return 0;
  snprintf (hw, sizeof hw, "vmx-%02" PRIu64, best);
  return set_string (&p->env->vm.hardware_version, hw);
}

static int
parse_hardware (struct envelope_parser *p)
{
  struct vm *vm = &p->env->vm;
  struct text_buf t;
  const xmlNode *sys = child (p->hardware, "System");
  const char *s;
  size_t n_items = 0;
  char label[128];

  s = sys ? child_text (sys, "VirtualSystemType", &t) : NULL;
  if (s && parse_system_type (p, s) == -1)
    return -1;
  if (vm->hardware_version)
    vm->firmware = VM_FIRMWARE_BIOS;  /* VMware's default */

  if (collect_controllers (p) == -1)
    return -1;
  for (xmlNode *it = p->hardware->children; it; it = it->next) {
    uint64_t v;

    if (is_element (it, "Config") || is_element (it, "ExtraConfig")) {
      if (parse_vmware_config (p, it) == -1)
        return -1;
      continue;
    }
    if (!(is_element (it, "Item") || is_element (it, "StorageItem")
          || is_element (it, "EthernetPortItem")))
      continue;
    if (++n_items > OVF_ITEMS_MAX) {
      error_set ("ovf: %s: more than %d hardware items", p->what,
                 OVF_ITEMS_MAX);
      return -1;
    }
    if (!item_in_configuration (p, it))
      continue;
    switch (item_type (it)) {
    case 3:                     /* processor */
      if (item_quantity (p, it, NULL, &v) == -1)
        return -1;
      if (v < 1 || v > MAX_VCPUS) {
        error_set ("ovf: %s: line %d: %s: %" PRIu64 " virtual CPUs (expected "
                   "1 to %d)", p->what, it->line,
                   item_label (it, label, sizeof label), v, MAX_VCPUS);
        return -1;
      }
      vm->vcpus = v;
      s = child_text (it, "CoresPerSocket", &t);
      if (s) {
        if (!ascii_parse_decimal (s, true, &v) || v < 1 || v > MAX_VCPUS) {
          char shown[64];
          error_set ("ovf: %s: line %d: %s: bad CoresPerSocket \"%s\"",
                     p->what, it->line, item_label (it, label, sizeof label),
                     printable (s, shown, sizeof shown));
          return -1;
        }
        vm->cores_per_socket = v;
      }
      break;
    case 4:                     /* memory */
      if (item_quantity (p, it, "byte * 2^20", &v) == -1)
        return -1;
      if (v < (UINT64_C (1) << 20) || v / (UINT64_C (1) << 20)
          > MAX_MEMORY_MIB) {
        error_set ("ovf: %s: line %d: %s: memory of %" PRIu64 " bytes is out "
                   "of range", p->what, it->line,
                   item_label (it, label, sizeof label), v);
        return -1;
      }
      vm->memory_mib = v >> 20;
      break;
    case 10:                    /* Ethernet adapter */
      if (parse_nic_item (p, it) == -1)
        return -1;
      break;
    case 15: case 16:           /* CD / DVD drive */
      if (parse_cdrom_item (p, it) == -1)
        return -1;
      break;
    case 17:                    /* disk drive */
      if (parse_disk_item (p, it) == -1)
        return -1;
      break;
    case 23:                    /* USB controller */
      vm->usb = true;
      break;
    default:
      break;
    }
  }
  return 0;
}

/* SCSI, SATA, NVMe, IDE, each by controller and unit, as the VMX reader
 * lists them; stable for equal places. */
static void
sort_disks (vm_disk_vector *disks)
{
  for (size_t i = 1; i < disks->len; i++) {
    struct vm_disk d = disks->ptr[i];
    size_t j = i;
    while (j > 0) {
      const struct vm_disk *e = &disks->ptr[j - 1];
      if (vm_slot_compare (d.bus, d.controller, d.unit, e->bus,
                           e->controller, e->unit) >= 0)
        break;
      disks->ptr[j] = disks->ptr[j - 1];
      j--;
    }
    disks->ptr[j] = d;
  }
}

void
ovf_envelope_free (struct ovf_envelope *env)
{
  vm_free (&env->vm);
  for (size_t i = 0; i < env->files.len; i++) {
    free (env->files.ptr[i].id);
    free (env->files.ptr[i].href);
  }
  ovf_file_vector_reset (&env->files);
}

static int
parse_envelope (struct envelope_parser *p, xmlDoc *doc)
{
  xmlNode *root = xmlDocGetRootElement (doc), *vs, *opts;
  struct vm *vm = &p->env->vm;
  struct text_buf t;
  const char *s;

  if (!is_element (root, "Envelope")) {
    error_set ("ovf: %s: the root element is not an OVF Envelope", p->what);
    return -1;
  }
  if (root->ns == NULL || root->ns->href == NULL
      || strncmp ((const char *) root->ns->href,
                  "http://schemas.dmtf.org/ovf/envelope/", 37) != 0)
    log_debug ("ovf: %s: Envelope is not in an OVF namespace", p->what);
  if (child (root, "VirtualSystemCollection")) {
    error_set ("ovf: %s: the package is a vApp (VirtualSystemCollection) "
               "of several VMs; ferry reads a single VirtualSystem", p->what);
    return -1;
  }
  vs = child (root, "VirtualSystem");
  if (vs == NULL) {
    error_set ("ovf: %s: no VirtualSystem in the Envelope", p->what);
    return -1;
  }
  opts = child (root, "DeploymentOptionSection");
  for (xmlNode *c = opts ? opts->children : NULL; c; c = c->next)
    if (is_element (c, "Configuration") && config_true (attr (c, "default")))
      p->configuration = attr (c, "id");

  if (parse_references (p, child (root, "References")) == -1)
    return -1;
  p->disk_section = child (root, "DiskSection");
  if (p->disk_section == NULL)
    p->disk_section = child (vs, "DiskSection");

  s = child_text (vs, "Name", &t);
  if (s == NULL || *s == '\0')
    s = attr (vs, "id");
  if (s && *s && set_string (&vm->name, s) == -1)
    return -1;

  if (parse_os (p, child (vs, "OperatingSystemSection")) == -1)
    return -1;
  p->hardware = child (vs, "VirtualHardwareSection");
  if (p->hardware == NULL) {
    error_set ("ovf: %s: VirtualSystem has no VirtualHardwareSection",
               p->what);
    return -1;
  }
  vm->vcpus = 1;
  if (parse_hardware (p) == -1)
    return -1;
  sort_disks (&vm->disks);
  return 0;
}

static xmlParserInputPtr
refuse_entity (void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
  (void) ctx;
  (void) public_id;
  (void) system_id;
  return NULL;
}

int
ovf_envelope_parse (const char *xml, size_t len, const char *what,
                    struct ovf_envelope *env)
{
  struct envelope_parser p = { .what = what, .env = env };
  xmlParserCtxt *ctxt;
  xmlDoc *doc;
  int r = -1;

  memset (env, 0, sizeof *env);
  if (len > OVF_DESCRIPTOR_MAX || len > INT_MAX) {
    error_set ("ovf: %s: descriptor larger than %d bytes", what,
               OVF_DESCRIPTOR_MAX);
    return -1;
  }
  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL || ctxt->sax == NULL) {
    error_set ("ovf: %s: cannot create an XML parser", what);
    xmlFreeParserCtxt (ctxt);
    return -1;
  }
  /* This parser's own handlers (not the process-wide loader): nothing
   * outside the descriptor is ever opened, whatever the options say. */
  ctxt->sax->resolveEntity = refuse_entity;
  ctxt->sax->externalSubset = NULL;
  /* No network, no DTD loading, no entity substitution (XML_PARSE_NOENT
   * is deliberately absent), no warnings on stderr. */
  doc = xmlCtxtReadMemory (ctxt, xml, (int) len, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR
                           | XML_PARSE_NOWARNING);
  if (doc == NULL) {
    const xmlError *e = xmlCtxtGetLastError (ctxt);
    char shown[160];
    error_set ("ovf: %s: not well-formed XML: line %d: %s", what,
               e ? e->line : 0,
               printable (e && e->message ? e->message : "parse error", shown,
                          sizeof shown));
    xmlFreeParserCtxt (ctxt);
    return -1;
  }
  if (doc->intSubset || doc->extSubset) {
    error_set ("ovf: %s: the descriptor has a DOCTYPE declaration; OVF has "
               "none, and ferry loads no DTD or entities from a package",
               what);
    goto out;
  }
  r = parse_envelope (&p, doc);

out:
  controllers_free (&p);
  xmlFreeDoc (doc);
  xmlFreeParserCtxt (ctxt);
  if (r == -1)
    ovf_envelope_free (env);
  return r;
}

/* ------------------------------------------------------------------ */
/* The reader                                                         */
/* ------------------------------------------------------------------ */

struct package {
  const char *what;            /* base name of the .ova / .ovf */
  char *abs;                   /* realpath of the .ova / .ovf */
  char *dir;                   /* OVF: its directory */
  int fd;                      /* OVA: the archive */
  ova_member_vector members;   /* OVA only */
  bool is_ova;
};

static int
fd_read (void *opaque, void *buf, size_t count, uint64_t offset)
{
  struct package *pkg = opaque;
  return io_pread_full (pkg->fd, buf, count, offset, pkg->what);
}

static const struct ova_member *
find_member (const struct package *pkg, const char *name)
{
  for (size_t i = 0; i < pkg->members.len; i++)
    if (strcmp (pkg->members.ptr[i].name, name) == 0)
      return &pkg->members.ptr[i];
  return NULL;
}

/* An href must stay inside the package: a plain relative name, no URL, no
 * "..", nothing absolute. */
static int
check_href (const struct package *pkg, const char *href)
{
  char shown[128];

  if (href[0] == '/' || strstr (href, "://") || strcmp (href, "..") == 0
      || strncmp (href, "../", 3) == 0 || strstr (href, "/../")
      || ascii_suffix (href, "/..") || strchr (href, '\\')) {
    error_set ("%s: %s: file \"%s\" is outside the package (an absolute "
               "path, a URL or \"..\"); ferry reads only files of the "
               "package", pkg->is_ova ? "ova" : "ovf", pkg->what,
               printable (href, shown, sizeof shown));
    return -1;
  }
  return 0;
}

/* A file of the package: for an OVA its member's window of pkg->fd, for an
 * OVF its own fd (*fd_out, to be closed) and the whole file. */
static int
package_open_file (const struct package *pkg, const char *href, int *fd_out,
                   char **path_out, uint64_t *base, uint64_t *length)
{
  char shown[128];
  struct stat st;

  *fd_out = -1;
  if (check_href (pkg, href) == -1)
    return -1;
  if (pkg->is_ova) {
    const struct ova_member *m = find_member (pkg, href);
    if (m == NULL) {
      error_set ("ova: %s: file \"%s\" is not in the archive", pkg->what,
                 printable (href, shown, sizeof shown));
      return -1;
    }
    *base = m->offset;
    *length = m->size;
    if (path_out && (*path_out = strdup (pkg->abs)) == NULL) {
      error_set_errno (errno, "strdup");
      return -1;
    }
    return 0;
  }
  {
    CLEANUP_FREE char *path = NULL;
    CLEANUP_CLOSE int fd = -1;

    if (asprintf (&path, "%s/%s", pkg->dir, href) == -1) {
      path = NULL;
      error_set_errno (errno, "asprintf");
      return -1;
    }
    fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd == -1) {
      error_set_errno (errno, "ovf: %s: file \"%s\"", pkg->what,
                       printable (href, shown, sizeof shown));
      return -1;
    }
    if (fstat (fd, &st) == -1 || !S_ISREG (st.st_mode)) {
      error_set ("ovf: %s: file \"%s\" is not a regular file", pkg->what,
                 printable (href, shown, sizeof shown));
      return -1;
    }
    *base = 0;
    *length = st.st_size;
    *fd_out = steal_fd (&fd);
    if (path_out)
      *path_out = steal_pointer (&path);
    return 0;
  }
}

/* Read a whole (small) file of the package into memory. */
static int
package_read_small (const struct package *pkg, const char *href,
                    size_t max, char **text, size_t *len)
{
  CLEANUP_CLOSE int fd = -1;
  uint64_t base, length;
  char shown[128];

  if (package_open_file (pkg, href, &fd, NULL, &base, &length) == -1)
    return -1;
  if (length > max) {
    error_set ("%s: %s: \"%s\" is %" PRIu64 " bytes (at most %zu)",
               pkg->is_ova ? "ova" : "ovf", pkg->what,
               printable (href, shown, sizeof shown), length, max);
    return -1;
  }
  *text = malloc (length + 1);
  if (*text == NULL) {
    error_set_errno (errno, "malloc");
    return -1;
  }
  if (io_pread_full (fd >= 0 ? fd : pkg->fd, *text, length, base,
                     pkg->what) == -1) {
    free (*text);
    *text = NULL;
    return -1;
  }
  (*text)[length] = '\0';
  *len = length;
  return 0;
}

static int
package_check_digest (const struct package *pkg, const struct ovf_digest *d,
                      const char *mf)
{
  CLEANUP_CLOSE int fd = -1;
  CLEANUP_FREE uint8_t *buf = NULL;
  uint64_t base, length, done = 0;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned md_len = 0;
  char hex[2 * EVP_MAX_MD_SIZE + 1], shown[128];
  const EVP_MD *type = strcmp (d->algorithm, "SHA1") == 0 ? EVP_sha1 ()
    : strcmp (d->algorithm, "SHA256") == 0 ? EVP_sha256 () : EVP_sha512 ();
  EVP_MD_CTX *ctx;
  int r = -1;

  if (package_open_file (pkg, d->file, &fd, NULL, &base, &length) == -1) {
    error_prefix ("%s lists it", mf);
    return -1;
  }
  buf = malloc (HASH_CHUNK);
  ctx = EVP_MD_CTX_new ();
  if (buf == NULL || ctx == NULL || EVP_DigestInit_ex (ctx, type, NULL) != 1) {
    error_set ("%s: cannot start a %s digest", pkg->what, d->algorithm);
    goto out;
  }
  while (done < length) {
    size_t n = min_u64 (HASH_CHUNK, length - done);
    if (io_pread_full (fd >= 0 ? fd : pkg->fd, buf, n, base + done,
                       pkg->what) == -1)
      goto out;
    if (EVP_DigestUpdate (ctx, buf, n) != 1) {
      error_set ("%s: %s digest failed", pkg->what, d->algorithm);
      goto out;
    }
    done += n;
  }
  if (EVP_DigestFinal_ex (ctx, md, &md_len) != 1) {
    error_set ("%s: %s digest failed", pkg->what, d->algorithm);
    goto out;
  }
  for (unsigned i = 0; i < md_len; i++)
    snprintf (hex + 2 * i, 3, "%02x", md[i]);
  if (strcmp (hex, d->hex) != 0) {
    error_set ("%s: %s: %s digest mismatch for \"%s\": the manifest says %s, "
               "the file's is %s (corrupt or altered package)",
               pkg->is_ova ? "ova" : "ovf", pkg->what, d->algorithm,
               printable (d->file, shown, sizeof shown), d->hex, hex);
    goto out;
  }
  log_debug ("%s: %s of %s verified", pkg->what, d->algorithm, d->file);
  r = 0;
out:
  EVP_MD_CTX_free (ctx);
  return r;
}

static bool
package_has_file (const struct package *pkg, const char *name)
{
  CLEANUP_FREE char *path = NULL;
  struct stat st;

  if (pkg->is_ova)
    return find_member (pkg, name) != NULL;
  if (asprintf (&path, "%s/%s", pkg->dir, name) == -1) {
    path = NULL;
    return false;
  }
  return lstat (path, &st) == 0;
}

static int
package_check_manifest (const struct package *pkg, const char *ovf_name)
{
  CLEANUP_FREE char *mf = NULL, *text = NULL;
  ovf_digest_vector digests = empty_vector;
  size_t len, n = strlen (ovf_name);
  int r = -1;

  if (asprintf (&mf, "%.*s.mf", (int) (n - 4), ovf_name) == -1) {
    mf = NULL;
    error_set_errno (errno, "asprintf");
    return -1;
  }
  if (!package_has_file (pkg, mf)) {
    log_debug ("%s: no manifest %s: digests not checked", pkg->what, mf);
    return 0;
  }
  if (package_read_small (pkg, mf, OVF_MANIFEST_MAX, &text, &len) == -1
      || ovf_manifest_parse (text, len, mf, &digests) == -1)
    return -1;
  for (size_t i = 0; i < digests.len; i++)
    if (package_check_digest (pkg, &digests.ptr[i], mf) == -1)
      goto out;
  r = 0;
out:
  ovf_digests_free (&digests);
  return r;
}

/* Open each disk as the image layer will, check it against the
 * descriptor, and point the model at it. */
static int
package_open_disks (struct package *pkg, struct ovf_envelope *env,
                    struct vm *vm)
{
  for (size_t i = 0; i < env->vm.disks.len; i++) {
    struct vm_disk *d = &env->vm.disks.ptr[i];
    CLEANUP_CLOSE int fd = -1;
    CLEANUP_FREE char *href = NULL;
    char *path = NULL;
    uint64_t base, length;
    const struct ovf_file *file = NULL;
    struct disk *disk;
    char shown[128];

    for (size_t k = 0; k < env->files.len; k++)
      if (strcmp (env->files.ptr[k].href, d->path) == 0)
        file = &env->files.ptr[k];
    if (package_open_file (pkg, d->path, &fd, &path, &base, &length) == -1)
      return -1;
    href = d->path;
    d->path = path;
    printable (href, shown, sizeof shown);
    if (file && file->has_size && file->size != length) {
      error_set ("%s: %s: file \"%s\" is %" PRIu64 " bytes, but References "
                 "says %" PRIu64 " (truncated or altered package)",
                 pkg->is_ova ? "ova" : "ovf", pkg->what, shown, length,
                 file->size);
      return -1;
    }
    if (pkg->is_ova)
      disk = length == 0 ? NULL
        : disk_open_window (path, base, length, NULL, 0);
    else
      disk = disk_open_window (path, 0, 0, NULL, 0);
    if (disk == NULL) {
      if (length == 0)
        error_set ("ova: %s: disk file \"%s\" is empty", pkg->what, shown);
      else
        error_prefix ("%s: %s: disk file \"%s\"",
                      pkg->is_ova ? "ova" : "ovf", pkg->what, shown);
      return -1;
    }
    if (d->capacity != 0 && d->capacity != disk->size) {
      error_set ("%s: %s: disk file \"%s\" holds a %s image of %" PRIu64
                 " bytes, but the descriptor gives a capacity of %" PRIu64
                 " bytes", pkg->is_ova ? "ova" : "ovf", pkg->what, shown,
                 disk->driver->name, disk->size, d->capacity);
      disk_close (disk);
      return -1;
    }
    d->capacity = disk->size;
    disk_close (disk);
    if (pkg->is_ova) {
      d->file_base = base;
      d->file_length = length;
    }
  }
  /* Hand the model over. */
  *vm = env->vm;
  env->vm = (struct vm) VM_INIT;
  return 0;
}

static int
package_read (struct package *pkg, const char *ovf_name, const char *kind,
              struct vm *vm)
{
  struct ovf_envelope env;
  CLEANUP_FREE char *xml = NULL;
  size_t len;
  int r = -1;

  if (package_read_small (pkg, ovf_name, OVF_DESCRIPTOR_MAX, &xml, &len) == -1
      || ovf_envelope_parse (xml, len, ovf_name, &env) == -1)
    return -1;
  if (package_check_manifest (pkg, ovf_name) == -1
      || package_open_disks (pkg, &env, vm) == -1)
    goto out;
  if (asprintf (&vm->source, "%s:%s", kind, pkg->abs) == -1) {
    vm->source = NULL;
    error_set_errno (errno, "asprintf");
    vm_free (vm);
    goto out;
  }
  r = 0;
out:
  ovf_envelope_free (&env);
  return r;
}

int
ova_read (const char *path, struct vm *vm)
{
  struct package pkg = { .what = path_base_name (path), .fd = -1, .is_ova = true };
  uint8_t magic[6] = { 0 };
  struct stat st;
  const struct ova_member *ovf = NULL;
  int r = -1;

  pkg.abs = realpath (path, NULL);
  if (pkg.abs == NULL) {
    error_set_errno (errno, "ova: %s", path);
    return -1;
  }
  pkg.fd = open (pkg.abs, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (pkg.fd == -1 || fstat (pkg.fd, &st) == -1) {
    error_set_errno (errno, "ova: %s", path);
    goto out;
  }
  if (!S_ISREG (st.st_mode)) {
    error_set ("ova: %s: not a regular file", path);
    goto out;
  }
  if (st.st_size >= 6 && io_pread_full (pkg.fd, magic, 6, 0, path) == -1)
    goto out;
  if ((magic[0] == 0x1f && magic[1] == 0x8b)
      || memcmp (magic, "\xfd" "7zXZ", 5) == 0
      || memcmp (magic, "BZh", 3) == 0
      || memcmp (magic, "\x28\xb5\x2f\xfd", 4) == 0) {
    error_set ("ova: %s: the OVA is compressed (%s); an OVA is a plain tar "
               "archive: decompress it first", pkg.what,
               magic[0] == 0x1f ? "gzip" : magic[0] == 0xfd ? "xz"
               : magic[0] == 'B' ? "bzip2" : "zstd");
    goto out;
  }
  if (ova_tar_list (fd_read, &pkg, st.st_size, pkg.what, &pkg.members) == -1)
    goto out;
  for (size_t i = 0; i < pkg.members.len; i++) {
    const struct ova_member *m = &pkg.members.ptr[i];
    if (!ascii_suffix (m->name, ".ovf") || strchr (m->name, '/'))
      continue;
    if (ovf) {
      error_set ("ova: %s: two descriptors (\"%s\" and \"%s\"); an OVA holds "
                 "one VM", pkg.what, ovf->name, m->name);
      goto out;
    }
    ovf = m;
    if (i != 0)
      log_debug ("ova: %s: the descriptor %s is member %zu, not the first "
                 "as OVF requires", pkg.what, m->name, i + 1);
  }
  if (ovf == NULL) {
    error_set ("ova: %s: no .ovf descriptor in the archive (%zu members)",
               pkg.what, pkg.members.len);
    goto out;
  }
  for (size_t i = 0; i < pkg.members.len; i++)
    if (ascii_suffix (pkg.members.ptr[i].name, ".cert"))
      log_debug ("ova: %s: certificate %s not checked", pkg.what,
                 pkg.members.ptr[i].name);
  r = package_read (&pkg, ovf->name, "ova", vm);

out:
  if (pkg.fd >= 0)
    close (pkg.fd);
  ova_members_free (&pkg.members);
  free (pkg.abs);
  return r;
}

int
ovf_read (const char *path, struct vm *vm)
{
  struct package pkg = { .what = path_base_name (path), .fd = -1 };
  char *slash;
  int r = -1;

  pkg.abs = realpath (path, NULL);
  if (pkg.abs == NULL) {
    error_set_errno (errno, "ovf: %s", path);
    return -1;
  }
  slash = strrchr (pkg.abs, '/');
  pkg.dir = slash == pkg.abs ? strdup ("/")
    : strndup (pkg.abs, slash - pkg.abs);
  if (pkg.dir == NULL) {
    error_set_errno (errno, "strdup");
    goto out;
  }
  if (!ascii_suffix (pkg.abs, ".ovf")) {
    error_set ("ovf: %s: expected a .ovf descriptor", path);
    goto out;
  }
  r = package_read (&pkg, path_base_name (pkg.abs), "ovf", vm);

out:
  free (pkg.dir);
  free (pkg.abs);
  return r;
}
