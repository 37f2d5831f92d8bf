/* rewrite.c: the new text of the guest files that name disks and kernel
 * command lines (fstab, crypttab, /etc/default/grub, menu.lst,
 * /etc/initramfs-tools/modules).
 *
 * Pure: text in, text out; it never reads a disk (the UUIDs come from a
 * callback) so that every rule is tested on strings.  It must never change
 * a byte it has no reason to: comments, spacing and unknown lines are kept
 * as they were, and text it cannot place is left alone rather than
 * guessed at.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert_internal.h"
#include "util/cleanup.h"
#include "util/error.h"

/* What the serial console adds to a command line with no console= at all
 * (the screen keeps the messages: the last console= is /dev/console), and
 * with one. */
#define CONSOLE_WITH_SCREEN "console=tty0 console=ttyS0,115200"
#define CONSOLE_SERIAL "console=ttyS0,115200"

/* An output text built with open_memstream. */
struct text {
  FILE *fp;
  char *buf;
  size_t len;
};

static int
text_open (struct text *t)
{
  t->buf = NULL;
  t->len = 0;
  t->fp = open_memstream (&t->buf, &t->len);
  if (t->fp == NULL) {
    error_set_errno (errno, "open_memstream");
    return -1;
  }
  return 0;
}

/* Finish t: *out gets the text on success (0); on failure (-1, or when
 * failed is set) the text is dropped. */
static int
text_close (struct text *t, bool failed, char **out)
{
  int r = fclose (t->fp);

  if (failed || r == EOF) {
    if (!failed)
      error_set_errno (errno, "writing text");
    free (t->buf);
    *out = NULL;
    return -1;
  }
  *out = t->buf;
  return 0;
}

static inline bool
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

bool
convert_device_to_appliance (const char *dev, char out[CONVERT_DEVICE_MAX])
{
  const char *p;
  size_t letters, digits;

  if (strncmp (dev, "/dev/sd", 7) != 0 && strncmp (dev, "/dev/hd", 7) != 0)
    return false;
  p = dev + 7;
  letters = strspn (p, "abcdefghijklmnopqrstuvwxyz");
  digits = strspn (p + letters, "0123456789");
  if (letters == 0 || letters > 4 || digits > 4 || p[letters + digits] != '\0'
      || (digits > 0 && p[letters] == '0'))
    return false;
  snprintf (out, CONVERT_DEVICE_MAX, "/dev/sd%s", p);
  return true;
}

/* Write "UUID=<uuid of dev>" for the old device name dev: 0 or -1. */
static int
write_uuid (FILE *fp, const char *dev, size_t len, convert_uuid_fn uuid,
            void *opaque)
{
  char name[CONVERT_DEVICE_MAX], appliance[CONVERT_DEVICE_MAX];
  CLEANUP_FREE char *id = NULL;

  snprintf (name, sizeof name, "%.*s", (int) len, dev);
  if (!convert_device_to_appliance (name, appliance))
    abort ();                   /* callers checked */
  id = uuid (opaque, appliance);
  if (id == NULL)
    return -1;
  if (id[0] == '\0') {
    error_set ("%s has no filesystem UUID to name it by", name);
    return -1;
  }
  fprintf (fp, "UUID=%s", id);
  return 0;
}

/* Whether s[0..len) is an old device name. */
static bool
is_old_device (const char *s, size_t len)
{
  char name[CONVERT_DEVICE_MAX], appliance[CONVERT_DEVICE_MAX];

  if (len >= sizeof name)
    return false;
  snprintf (name, sizeof name, "%.*s", (int) len, s);
  return convert_device_to_appliance (name, appliance);
}

int
convert_table_rewrite (const char *text, unsigned field,
                       convert_uuid_fn uuid, void *opaque,
                       char **out, unsigned *changed)
{
  struct text t;
  const char *line = text;
  bool failed = false;

  *changed = 0;
  if (text_open (&t) == -1)
    return -1;
  while (*line && !failed) {
    size_t len = strcspn (line, "\n");
    const char *p = line, *end = line + len;
    const char *start = NULL;
    size_t flen = 0;
    unsigned f = 0;

    while (p < end && is_blank (*p))
      p++;
    /* the field'th field of a line that is not a comment */
    while (p < end && *p != '#') {
      const char *s = p;
      while (p < end && !is_blank (*p))
        p++;
      if (f++ == field) {
        start = s;
        flen = p - s;
        break;
      }
      while (p < end && is_blank (*p))
        p++;
    }
    if (start && is_old_device (start, flen)) {
      fwrite (line, 1, start - line, t.fp);
      if (write_uuid (t.fp, start, flen, uuid, opaque) == -1)
        failed = true;
      fwrite (start + flen, 1, end - (start + flen), t.fp);
      ++*changed;
    }
    else
      fwrite (line, 1, len, t.fp);
    if (*end == '\n')
      fputc ('\n', t.fp);
    line = *end ? end + 1 : end;
  }
  return text_close (&t, failed, out);
}

/* Whether s (inside text) starts a word: at the start, or after a blank,
 * a quote or a newline. */
static bool
starts_word (const char *text, const char *s)
{
  return s == text || is_blank (s[-1]) || s[-1] == '"' || s[-1] == '\''
    || s[-1] == '\n';
}

/* Length of the word at s (up to a blank, a quote or the line's end). */
static size_t
word_length (const char *s)
{
  return strcspn (s, " \t\n\"'");
}

int
convert_cmdline_rewrite (const char *text, convert_uuid_fn uuid,
                         void *opaque, char **out, unsigned *changed)
{
  static const char *const keys[] = { "root=", "resume=" };
  struct text t;
  const char *p = text;
  bool failed = false;

  *changed = 0;
  if (text_open (&t) == -1)
    return -1;
  while (*p && !failed) {
    size_t klen = 0;

    if (starts_word (text, p))
      for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (strncmp (p, keys[k], strlen (keys[k])) == 0)
          klen = strlen (keys[k]);
    if (klen > 0 && is_old_device (p + klen, word_length (p + klen))) {
      size_t vlen = word_length (p + klen);
      fwrite (p, 1, klen, t.fp);
      if (write_uuid (t.fp, p + klen, vlen, uuid, opaque) == -1)
        failed = true;
      p += klen + vlen;
      ++*changed;
    }
    else
      fputc (*p++, t.fp);
  }
  return text_close (&t, failed, out);
}

/* Whether the line (up to its newline) has the word w, or a word
 * starting with w when prefix is set. */
static bool
line_has_word (const char *line, const char *w, bool prefix)
{
  size_t len = strcspn (line, "\n"), wlen = strlen (w);

  for (const char *p = line; p + wlen <= line + len; p++)
    if (starts_word (line, p) && strncmp (p, w, wlen) == 0
        && (prefix || word_length (p) == wlen
            || (p[wlen] == ',' && strcmp (w, "console=ttyS0") == 0)))
      return true;
  return false;
}

/* The key of an assignment line "KEY=...", NULL when the line is not
 * one; *klen its length. */
static const char *
assignment_key (const char *line, size_t *klen)
{
  const char *p = line;
  size_t n;

  while (is_blank (*p))
    p++;
  n = strspn (p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
  if (n == 0 || p[n] != '=')
    return NULL;
  *klen = n;
  return p;
}

static bool
is_key (const char *line, const char *key)
{
  size_t klen;
  const char *k = assignment_key (line, &klen);

  return k && klen == strlen (key) && strncmp (k, key, klen) == 0;
}

/* Whether the assignment line's value is true, quoted or not. */
static bool
value_is_true (const char *line)
{
  const char *v = strchr (line, '=') + 1;
  size_t len = strcspn (v, "\n");

  return (len == 4 && strncmp (v, "true", 4) == 0)
    || (len == 6 && (strncmp (v, "\"true\"", 6) == 0
                     || strncmp (v, "'true'", 6) == 0));
}

/* Write the GRUB_CMDLINE_LINUX line [line, line+len) with add appended to
 * its value. */
static void
write_cmdline_with (FILE *fp, const char *line, size_t len, const char *add)
{
  const char *eq = memchr (line, '=', len);
  const char *v = eq + 1, *end = line + len;
  const char *close;

  if (v < end && (*v == '"' || *v == '\'')
      && (close = memrchr (v + 1, *v, end - v - 1)) != NULL) {
    bool empty = close == v + 1;
    fwrite (line, 1, close - line, fp);
    fprintf (fp, "%s%s", empty ? "" : " ", add);
    fwrite (close, 1, end - close, fp);
  }
  else {
    /* unquoted: quote it */
    while (end > v && is_blank (end[-1]))
      end--;
    fwrite (line, 1, v - line, fp);
    fprintf (fp, "\"%.*s%s%s\"", (int) (end - v), v, end > v ? " " : "",
             add);
  }
}

int
convert_grub_defaults_rewrite (const char *text, bool want_console,
                               char **out, bool *changed)
{
  struct text t;
  const char *line;
  bool has_serial = false, has_console = false, done = false;
  const char *add;

  *changed = false;
  for (line = text; *line; ) {
    size_t len = strcspn (line, "\n");
    if (is_key (line, "GRUB_CMDLINE_LINUX")
        || is_key (line, "GRUB_CMDLINE_LINUX_DEFAULT")) {
      has_serial |= line_has_word (line, "console=ttyS0", false);
      has_console |= line_has_word (line, "console=", true);
    }
    line += len + (line[len] == '\n');
  }
  if (!want_console || has_serial)
    done = true;
  add = has_console ? CONSOLE_SERIAL : CONSOLE_WITH_SCREEN;

  if (text_open (&t) == -1)
    return -1;
  for (line = text; *line; ) {
    size_t len = strcspn (line, "\n");
    if (is_key (line, "GRUB_DISABLE_LINUX_UUID") && value_is_true (line)) {
      fputc ('#', t.fp);
      fwrite (line, 1, len, t.fp);
      *changed = true;
    }
    else if (!done && is_key (line, "GRUB_CMDLINE_LINUX")) {
      write_cmdline_with (t.fp, line, len, add);
      *changed = done = true;
    }
    else
      fwrite (line, 1, len, t.fp);
    if (line[len] == '\n')
      fputc ('\n', t.fp);
    line += len + (line[len] == '\n');
  }
  if (!done) {
    size_t tlen = strlen (text);
    if (tlen > 0 && text[tlen - 1] != '\n')
      fputc ('\n', t.fp);
    fprintf (t.fp, "GRUB_CMDLINE_LINUX=\"%s\"\n", add);
    *changed = true;
  }
  return text_close (&t, false, out);
}

int
convert_lvm_conf_rewrite (const char *text, char **out, bool *changed)
{
  struct text t;
  const char *setting_end = NULL;   /* the filter's last line */

  *changed = false;
  if (text_open (&t) == -1)
    return -1;
  for (const char *line = text; *line; ) {
    size_t len = strcspn (line, "\n");
    const char *p = line;

    while (is_blank (*p))
      p++;
    if (setting_end == NULL
        && (strncmp (p, "filter", 6) == 0
            || strncmp (p, "global_filter", 13) == 0)
        && memchr (line, '=', len)) {
      /* a list may span lines: up to its ']' */
      const char *close = strchr (line, ']');
      const char *last = close ? close : line + strlen (line);
      if (memmem (line, last - line, "/dev/sd", 7)
          || memmem (line, last - line, "/dev/hd", 7))
        setting_end = last;
    }
    if (setting_end) {
      fputc ('#', t.fp);
      *changed = true;
      if (setting_end <= line + len)
        setting_end = NULL;
    }
    fwrite (line, 1, len, t.fp);
    if (line[len] == '\n')
      fputc ('\n', t.fp);
    line += len + (line[len] == '\n');
  }
  return text_close (&t, false, out);
}

int
convert_grub_legacy_console (const char *text, char **out, bool *changed)
{
  struct text t;

  *changed = false;
  if (text_open (&t) == -1)
    return -1;
  for (const char *line = text; *line; ) {
    size_t len = strcspn (line, "\n");
    const char *p = line;

    while (is_blank (*p))
      p++;
    fwrite (line, 1, len, t.fp);
    if (strncmp (p, "kernel", 6) == 0 && is_blank (p[6])
        && !line_has_word (line, "console=ttyS0", false)) {
      fprintf (t.fp, " %s", line_has_word (line, "console=", true)
               ? CONSOLE_SERIAL : CONSOLE_WITH_SCREEN);
      *changed = true;
    }
    if (line[len] == '\n')
      fputc ('\n', t.fp);
    line += len + (line[len] == '\n');
  }
  return text_close (&t, false, out);
}

int
convert_modules_file_add (const char *text, const char *const *names,
                          size_t n, char **out, unsigned *added)
{
  struct text t;
  size_t tlen = strlen (text);

  *added = 0;
  if (text_open (&t) == -1)
    return -1;
  fputs (text, t.fp);
  if (tlen > 0 && text[tlen - 1] != '\n')
    fputc ('\n', t.fp);
  for (size_t i = 0; i < n; i++) {
    bool listed = false;
    size_t nlen = strlen (names[i]);

    for (const char *line = text; *line && !listed; ) {
      size_t len = strcspn (line, "\n");
      const char *p = line;
      while (is_blank (*p))
        p++;
      listed = strncmp (p, names[i], nlen) == 0
        && (p[nlen] == '\0' || p[nlen] == '\n' || is_blank (p[nlen]));
      line += len + (line[len] == '\n');
    }
    /* the same name twice in names[] */
    for (size_t j = 0; j < i && !listed; j++)
      listed = strcmp (names[j], names[i]) == 0;
    if (!listed) {
      fprintf (t.fp, "%s\n", names[i]);
      ++*added;
    }
  }
  return text_close (&t, false, out);
}

bool
convert_module_listed (char *const *lines, const char *mod)
{
  size_t mlen = strlen (mod);

  for (; *lines; lines++) {
    const char *base = strrchr (*lines, '/');
    base = base ? base + 1 : *lines;
    if (strncmp (base, mod, mlen) == 0 && strncmp (base + mlen, ".ko", 3) == 0
        && (base[mlen + 3] == '\0' || base[mlen + 3] == '.'
            || is_blank (base[mlen + 3])))
      return true;
  }
  return false;
}
