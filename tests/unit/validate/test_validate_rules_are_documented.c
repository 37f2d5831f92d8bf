/* Every rule in validate_rules has a "### `id`" section in
 * docs/validation.md whose heading names its (highest) severity, every
 * id is unique, and every section in the document is a rule that exists.
 * Argument: the source root. */
#include <ctype.h>

#include "validatetest.h"

static const char *const severity_words[] = {
  [FINDING_INFO] = "Info", [FINDING_WARNING] = "Warning",
  [FINDING_CRITICAL] = "Critical",
};

int
main (int argc, char **argv)
{
  char *path, *doc, *line;
  size_t len, sections = 0, rules = 0;

  if (argc != 2)
    FAIL ("usage: %s SOURCE_ROOT", argv[0]);
  test_init (false);
  if (asprintf (&path, "%s/docs/validation.md", argv[1]) == -1)
    FAIL ("out of memory");
  doc = (char *) test_read_file (path, &len);
  doc = realloc (doc, len + 1);
  CHECK (doc != NULL);
  doc[len] = '\0';

  for (const struct validate_rule *r = validate_rules; r->id; r++) {
    char *heading;

    rules++;
    CHECK (validate_rule_find (r->id) == r);
    CHECK (r->summary && r->summary[0]);
    for (const char *c = r->id; *c; c++)
      CHECK (islower ((unsigned char) *c) || *c == '-');
    if (asprintf (&heading, "\n### `%s`", r->id) == -1)
      FAIL ("out of memory");
    line = strstr (doc, heading);
    if (line == NULL)
      FAIL ("docs/validation.md has no section \"### `%s`\"", r->id);
    line++;
    char *end = strchr (line, '\n');
    CHECK (end != NULL);
    *end = '\0';
    if (strstr (line, severity_words[r->severity]) == NULL)
      FAIL ("heading \"%s\" does not name severity %s", line,
            severity_words[r->severity]);
    *end = '\n';
    free (heading);
  }
  CHECK (validate_rule_find ("no-such-rule") == NULL);

  for (line = doc; (line = strstr (line, "\n### `")) != NULL; line++) {
    char id[64];
    const char *start = line + 6, *stop = strchr (start, '`');

    CHECK (stop != NULL && (size_t) (stop - start) < sizeof id);
    memcpy (id, start, stop - start);
    id[stop - start] = '\0';
    if (validate_rule_find (id) == NULL)
      FAIL ("docs/validation.md documents \"%s\", which is not a rule", id);
    sections++;
  }
  CHECK (sections == rules);

  free (doc);
  free (path);
  return 0;
}
