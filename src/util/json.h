/* json.h: JSON output helpers on top of jansson.
 *
 * Front ends build a json_t tree and print it with json_print(); these
 * helpers keep "set a key, check for out-of-memory" to one line.
 */
#ifndef FERRY_UTIL_JSON_H
#define FERRY_UTIL_JSON_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Each returns 0, or -1 with the error set (out of memory). */
int json_set_string (json_t *obj, const char *key, const char *value);
int json_set_u64 (json_t *obj, const char *key, uint64_t value);
int json_set_bool (json_t *obj, const char *key, int value);
/* Steals a reference to value. */
int json_set_new (json_t *obj, const char *key, json_t *value);

/* Print indented JSON and a newline, and flush fp.  0, or -1 with the
 * error set when anything could not be written (ENOSPC, EPIPE, ...): a
 * command must then fail, not exit 0 with a truncated document. */
int json_print (FILE *fp, const json_t *value);

#endif
