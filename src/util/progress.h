/* progress.h: progress display for long operations.
 *
 * On a terminal: one line redrawn in place with a bar, bytes done/total,
 * rate and ETA.  Otherwise (a log, a pipe): a plain line every few seconds,
 * so that logs show progress without control characters.
 *
 * progress_add() may be called from any thread; drawing happens on a
 * private thread, so workers never wait on the terminal.
 */
#ifndef FERRY_UTIL_PROGRESS_H
#define FERRY_UTIL_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct progress;

/* NULL with the error set on failure.  label is copied. */
struct progress *progress_start (const char *label, uint64_t total, FILE *fp);
void progress_add (struct progress *p, uint64_t bytes);
/* Draw the final state, stop the thread, free. */
void progress_finish (struct progress *p);

/* "1.5 GiB", "512 KiB", "17 B" into buf. */
const char *progress_format_bytes (uint64_t bytes, char *buf, size_t len);

#endif
