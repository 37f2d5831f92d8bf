/* error.h: ferry's single error mechanism.
 *
 * A failing function returns -1 (or NULL) and records why in a thread-local
 * error.  Callers higher up may prepend context ("vmdk: disk.vmdk: ...") with
 * error_prefix() before returning -1 themselves.  Library code never prints;
 * only front ends read the message with error_message().
 *
 * The place the error was raised (file:line, function) is kept for debug logs.
 */
#ifndef FERRY_UTIL_ERROR_H
#define FERRY_UTIL_ERROR_H

#include <stdarg.h>

#define ERROR_MESSAGE_MAX 1024

void error_set_at (const char *file, int line, const char *func, int errnum,
                   const char *fmt, ...)
  __attribute__ ((format (printf, 5, 6)));

/* Record an error.  error_set_errno appends ": strerror(errnum)". */
#define error_set(...) error_set_at (__FILE__, __LINE__, __func__, 0, __VA_ARGS__)
#define error_set_errno(errnum, ...) \
  error_set_at (__FILE__, __LINE__, __func__, (errnum), __VA_ARGS__)

/* Prepend "PREFIX: " to the current error message. */
void error_prefix (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* The current message ("" when none), and where it was raised. */
const char *error_message (void);
const char *error_origin (void);
/* errno given to error_set_errno, or 0. */
int error_errno (void);

void error_clear (void);

/* Move an error between threads: a worker saves its message, the thread
 * that joins it restores it. */
struct error_saved {
  char message[ERROR_MESSAGE_MAX];
  char origin[128];
  int errnum;
};
void error_save (struct error_saved *out);
void error_restore (const struct error_saved *in);

#endif
