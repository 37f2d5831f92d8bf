/* json.c: see json.h. */
#include <errno.h>

#include "util/error.h"
#include "util/json.h"

int
json_set_new (json_t *obj, const char *key, json_t *value)
{
  if (value == NULL || json_object_set_new (obj, key, value) == -1) {
    error_set ("json: cannot set \"%s\": out of memory", key);
    return -1;
  }
  return 0;
}

int
json_set_string (json_t *obj, const char *key, const char *value)
{
  return json_set_new (obj, key, value ? json_string (value) : json_null ());
}

int
json_set_u64 (json_t *obj, const char *key, uint64_t value)
{
  /* JSON integers in jansson are signed 64 bit; ferry's sizes fit. */
  return json_set_new (obj, key, json_integer ((json_int_t) value));
}

int
json_set_bool (json_t *obj, const char *key, int value)
{
  return json_set_new (obj, key, json_boolean (value));
}

int
json_print (FILE *fp, const json_t *value)
{
  /* Flushed here: a full disk or a closed pipe must fail this call, not
   * go unnoticed at exit. */
  errno = 0;
  if (json_dumpf (value, fp, JSON_INDENT (2) | JSON_PRESERVE_ORDER) == -1
      || fputc ('\n', fp) == EOF || fflush (fp) == EOF || ferror (fp)) {
    if (errno)
      error_set_errno (errno, "json: cannot write the output");
    else
      error_set ("json: cannot write the output");
    return -1;
  }
  return 0;
}
