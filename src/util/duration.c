/* duration.c: parsing durations and points in time; see duration.h.
 *
 * Must never read the clock or the environment itself (beyond what
 * mktime reads for the local time zone): now is the caller's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/checked.h"
#include "util/duration.h"
#include "util/error.h"

/* The units, largest first: each part must use a smaller one than the
 * part before it. */
static const struct {
  char unit;
  uint64_t seconds;
} duration_units[] = { { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
#define DURATION_NR_UNITS (sizeof duration_units / sizeof duration_units[0])

static int
duration_too_long (const char *text)
{
  error_set ("duration \"%s\": too long (at most %llu seconds, 100 years)",
             text, DURATION_MAX_SECONDS);
  return -1;
}

/* The decimal number at *p (advanced past its digits) into *n. */
static int
duration_number (const char *text, const char **p, uint64_t *n)
{
  *n = 0;
  if (**p < '0' || **p > '9') {
    error_set ("duration \"%s\": expected a number at \"%s\"", text, *p);
    return -1;
  }
  for (; **p >= '0' && **p <= '9'; (*p)++)
    if (checked_mul_add (*n, 10, **p - '0', n) || *n > DURATION_MAX_SECONDS)
      return duration_too_long (text);
  return 0;
}

int
duration_parse (const char *text, uint64_t *seconds)
{
  const char *p = text;
  uint64_t total = 0, n;
  size_t next_unit = 0;         /* the largest unit still allowed */

  if (text[0] == '\0') {
    error_set ("duration \"\": empty (give seconds, or e.g. 90s, 10m, "
               "1h30m)");
    return -1;
  }
  if (text[0] == '-') {
    error_set ("duration \"%s\": must not be negative", text);
    return -1;
  }
  if (text[strspn (text, "0123456789")] == '\0')
    return duration_number (text, &p, seconds);   /* plain seconds */
  while (*p) {
    size_t u;

    if (duration_number (text, &p, &n) == -1)
      return -1;
    for (u = 0; u < DURATION_NR_UNITS; u++)
      if (*p == duration_units[u].unit)
        break;
    if (u == DURATION_NR_UNITS) {
      if (*p == '\0')
        error_set ("duration \"%s\": the last number has no unit (h, m "
                   "or s)", text);
      else
        error_set ("duration \"%s\": unknown unit \"%c\" (use h, m or s)",
                   text, *p);
      return -1;
    }
    if (u < next_unit) {
      error_set ("duration \"%s\": units must go from hours to seconds, "
                 "each once", text);
      return -1;
    }
    next_unit = u + 1;
    if (checked_mul_add (n, duration_units[u].seconds, total, &total)
        || total > DURATION_MAX_SECONDS)
      return duration_too_long (text);
    p++;
  }
  *seconds = total;
  return 0;
}

/* Exactly `digits` decimal digits at *p (advanced past them). */
static bool
duration_digits (const char **p, int digits, int *out)
{
  int v = 0;

  for (int i = 0; i < digits; i++) {
    if ((*p)[i] < '0' || (*p)[i] > '9')
      return false;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += digits;
  *out = v;
  return true;
}

/* "HH:MM[:SS]" at *p into tm (advanced past it). */
static bool
duration_clock (const char **p, struct tm *tm, bool seconds_allowed)
{
  if (!duration_digits (p, 2, &tm->tm_hour) || *(*p)++ != ':'
      || !duration_digits (p, 2, &tm->tm_min))
    return false;
  tm->tm_sec = 0;
  if (seconds_allowed && **p == ':') {
    (*p)++;
    if (!duration_digits (p, 2, &tm->tm_sec))
      return false;
  }
  return tm->tm_hour <= 23 && tm->tm_min <= 59 && tm->tm_sec <= 59;
}

int
duration_parse_time (const char *text, time_t now, time_t *at)
{
  struct tm tm, want;
  const char *p = text;
  uint64_t seconds;

  if (strcmp (text, "now") == 0) {
    *at = now;
    return 0;
  }
  if (text[0] == '+') {
    if (duration_parse (text + 1, &seconds) == -1) {
      error_prefix ("time \"%s\"", text);
      return -1;
    }
    *at = now + (time_t) seconds;
    return 0;
  }
  /* HH:MM: the next such local time. */
  if (strlen (text) == 5 && text[2] == ':') {
    localtime_r (&now, &tm);
    if (!duration_clock (&p, &tm, false))
      goto bad;
    tm.tm_isdst = -1;
    *at = mktime (&tm);
    if (*at <= now) {
      /* tomorrow at that time (mktime normalizes the day and DST) */
      localtime_r (&now, &want);
      tm.tm_year = want.tm_year;
      tm.tm_mon = want.tm_mon;
      tm.tm_mday = want.tm_mday + 1;
      tm.tm_isdst = -1;
      *at = mktime (&tm);
    }
    return 0;
  }
  /* YYYY-MM-DDTHH:MM[:SS][Z] */
  memset (&tm, 0, sizeof tm);
  if (!duration_digits (&p, 4, &tm.tm_year) || *p++ != '-'
      || !duration_digits (&p, 2, &tm.tm_mon) || *p++ != '-'
      || !duration_digits (&p, 2, &tm.tm_mday) || *p++ != 'T'
      || !duration_clock (&p, &tm, true)
      || !(p[0] == '\0' || (p[0] == 'Z' && p[1] == '\0')))
    goto bad;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  want = tm;
  *at = *p == 'Z' ? timegm (&tm) : mktime (&tm);
  /* A day the month does not have (2027-02-30) comes back normalized. */
  if (want.tm_mon < 0 || want.tm_mon > 11 || tm.tm_mday != want.tm_mday
      || tm.tm_mon != want.tm_mon || tm.tm_year != want.tm_year) {
    error_set ("time \"%s\": no such date", text);
    return -1;
  }
  return 0;
bad:
  error_set ("time \"%s\": expected now, +DURATION, HH:MM or "
             "YYYY-MM-DDTHH:MM[:SS][Z]", text);
  return -1;
}
