/* mapping.c: SRC=DST name mappings; see mapping.h.
 *
 * Specs come from the command line or a plan file: every rejection names
 * the spec and says how to write it instead.  The mapping is only changed
 * once a spec has been fully checked.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "preflight/mapping.h"
#include "util/error.h"

#define MAPPING_DEFAULT "*"

static bool
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
    || c == '\f';
}

static bool
has_control (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f)
      return true;
  return false;
}

static bool
has_outer_space (const char *s, size_t n)
{
  return n > 0 && (is_space (s[0]) || is_space (s[n - 1]));
}

int
mapping_add (struct mapping *m, const char *spec)
{
  const char *eq = strrchr (spec, '=');
  const char *target;
  size_t source_len;
  char *source = NULL, *dst = NULL;
  bool is_default;

  if (eq == NULL) {
    error_set ("mapping: \"%s\": expected SOURCE=TARGET (or *=TARGET for "
               "the default)", spec);
    return -1;
  }
  source_len = eq - spec;
  target = eq + 1;
  if (has_control (spec, strlen (spec))) {
    error_set ("mapping: \"%s\": control characters are not allowed", spec);
    return -1;
  }
  if (source_len == 0) {
    error_set ("mapping: \"%s\": the source name before '=' is empty "
               "(write *=TARGET for the default)", spec);
    return -1;
  }
  if (target[0] == '\0') {
    error_set ("mapping: \"%s\": the target name after the last '=' is "
               "empty", spec);
    return -1;
  }
  if (has_outer_space (spec, source_len)
      || has_outer_space (target, strlen (target))) {
    error_set ("mapping: \"%s\": a name starts or ends with whitespace; "
               "write SOURCE=TARGET without spaces around '='", spec);
    return -1;
  }
  if (strchr (target, '/') != NULL) {
    error_set ("mapping: \"%s\": the target \"%s\" contains '/', which "
               "libvirt does not allow in network or pool names", spec,
               target);
    return -1;
  }

  is_default = source_len == 1 && spec[0] == MAPPING_DEFAULT[0];
  if (is_default) {
    if (m->default_target) {
      if (strcmp (m->default_target, target) == 0)
        return 0;
      error_set ("mapping: \"%s\": the default is already mapped to \"%s\"",
                 spec, m->default_target);
      return -1;
    }
  }
  else {
    for (size_t i = 0; i < m->entries.len; i++) {
      const struct mapping_entry *e = &m->entries.ptr[i];
      if (strlen (e->source) != source_len
          || memcmp (e->source, spec, source_len) != 0)
        continue;
      if (strcmp (e->target, target) == 0)
        return 0;
      error_set ("mapping: \"%s\": \"%s\" is already mapped to \"%s\"",
                 spec, e->source, e->target);
      return -1;
    }
  }

  dst = strdup (target);
  if (dst == NULL)
    goto nomem;
  if (is_default) {
    m->default_target = dst;
    return 0;
  }
  source = strndup (spec, source_len);
  if (source == NULL
      || mapping_entry_vector_append (&m->entries, (struct mapping_entry) {
          .source = source, .target = dst }) == -1)
    goto nomem;
  return 0;

 nomem:
  free (source);
  free (dst);
  error_set_errno (ENOMEM, "mapping: \"%s\"", spec);
  return -1;
}

const char *
mapping_lookup (const struct mapping *m, const char *source)
{
  if (source)
    for (size_t i = 0; i < m->entries.len; i++)
      if (strcmp (m->entries.ptr[i].source, source) == 0)
        return m->entries.ptr[i].target;
  return m->default_target;
}

void
mapping_free (struct mapping *m)
{
  for (size_t i = 0; i < m->entries.len; i++) {
    free (m->entries.ptr[i].source);
    free (m->entries.ptr[i].target);
  }
  mapping_entry_vector_reset (&m->entries);
  free (m->default_target);
  *m = (struct mapping) MAPPING_INIT;
}
