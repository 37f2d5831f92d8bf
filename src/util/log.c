/* log.c: see log.h.  One write(2) per line so threads do not interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "util/log.h"

static enum log_level log_level_current = LOG_WARN;

void
log_set_level (enum log_level level)
{
  log_level_current = level;
}

enum log_level
log_get_level (void)
{
  return log_level_current;
}

void
log_message (enum log_level level, const char *fmt, ...)
{
  static const char *const names[] = { "error", "warning", "info", "debug" };
  char line[2048];
  va_list ap;
  int n, m;

  if (level > log_level_current)
    return;
  n = snprintf (line, sizeof line, "ferry: %s: ", names[level]);
  va_start (ap, fmt);
  m = vsnprintf (line + n, sizeof line - n - 1, fmt, ap);
  va_end (ap);
  if (m < 0)
    return;
  n += m;
  if ((size_t) n > sizeof line - 2)
    n = sizeof line - 2;
  line[n++] = '\n';
  if (write (STDERR_FILENO, line, n) < 0) {
    /* nothing more we can do */
  }
}
