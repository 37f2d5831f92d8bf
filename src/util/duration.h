/* duration.h: the durations and points in time a user types on the
 * command line (`--interval 10m`, `--cutover 22:00`).
 *
 * A duration is a count of seconds, written "90" or as a sequence of
 * number-and-unit parts with units h, m, s, largest first, each at most
 * once: "90s", "10m", "1h", "1h30m", "2h0m15s".  A time is "now",
 * "+DURATION" (from now), "HH:MM" (the next such local time: today if it
 * is still to come, else tomorrow), or "YYYY-MM-DDTHH:MM[:SS]" in local
 * time, UTC with a trailing "Z".
 *
 * Pure parsing: never reads the clock (the caller passes now) and never
 * prints; bad text is -1 with a one-line error naming it.
 */
#ifndef FERRY_UTIL_DURATION_H
#define FERRY_UTIL_DURATION_H

#include <stdint.h>
#include <time.h>

/* The longest duration accepted: 100 years of 366 days.  Anything longer
 * is a typo, and every sum with a time_t stays far from overflowing. */
#define DURATION_MAX_SECONDS (100ull * 366 * 86400)

/* 0 and *seconds, or -1 with the error set ("duration \"TEXT\": why"). */
int duration_parse (const char *text, uint64_t *seconds);

/* 0 and *at (seconds since the epoch), or -1 with the error set
 * ("time \"TEXT\": why").  A time in the past is not refused here: the
 * caller knows whether it matters. */
int duration_parse_time (const char *text, time_t now, time_t *at);

#endif
