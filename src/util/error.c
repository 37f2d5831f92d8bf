/* error.c: thread-local error with context; see error.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

static _Thread_local struct error_saved current;

void
error_set_at (const char *file, int line, const char *func, int errnum,
              const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (current.message, sizeof current.message, fmt, ap);
  va_end (ap);
  if (n < 0)
    current.message[0] = '\0';
  if (errnum != 0) {
    size_t len = strlen (current.message);
    snprintf (current.message + len, sizeof current.message - len, ": %s",
              strerror (errnum));
  }
  snprintf (current.origin, sizeof current.origin, "%s:%d (%s)", file, line,
            func);
  current.errnum = errnum;
}

void
error_prefix (const char *fmt, ...)
{
  char old[ERROR_MESSAGE_MAX];
  va_list ap;
  int n;

  /* Messages longer than the buffer are cut; the start matters most. */
  memcpy (old, current.message, sizeof old);
  va_start (ap, fmt);
  n = vsnprintf (current.message, sizeof current.message, fmt, ap);
  va_end (ap);
  if (n < 0 || (size_t) n >= sizeof current.message - 2)
    return;
  current.message[n++] = ':';
  current.message[n++] = ' ';
  memcpy (current.message + n, old, sizeof current.message - n - 1);
  current.message[sizeof current.message - 1] = '\0';
}

const char *
error_message (void)
{
  return current.message;
}

const char *
error_origin (void)
{
  return current.origin;
}

int
error_errno (void)
{
  return current.errnum;
}

void
error_clear (void)
{
  current.message[0] = '\0';
  current.origin[0] = '\0';
  current.errnum = 0;
}

void
error_save (struct error_saved *out)
{
  *out = current;
}

void
error_restore (const struct error_saved *in)
{
  current = *in;
}
