/* log.h: leveled diagnostic messages on stderr.
 *
 * Library code may log at debug level (what it decided and why); it never
 * prints results or errors, which belong to the front end.  The verbosity is
 * set once by the front end before any thread starts.
 */
#ifndef FERRY_UTIL_LOG_H
#define FERRY_UTIL_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level (enum log_level level);
enum log_level log_get_level (void);
void log_message (enum log_level level, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

#define log_warn(...) log_message (LOG_WARN, __VA_ARGS__)
#define log_info(...) log_message (LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_message (LOG_DEBUG, __VA_ARGS__)

#endif
