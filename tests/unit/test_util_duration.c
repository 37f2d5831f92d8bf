/* test_util_duration: durations and times as the user types them
 * (util/duration.h), table-driven: each accepted text with the seconds it
 * means (worked out by hand), each refused text with a word its message
 * must contain.  Local times are checked in a fixed zone with daylight
 * saving time (a POSIX TZ string, no time zone database needed): "HH:MM"
 * is the next such time, across a DST change too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test.h"
#include "util/duration.h"

static const struct {
  const char *text;
  uint64_t seconds;
} good_durations[] = {
  { "0", 0 }, { "90", 90 }, { "90s", 90 }, { "10m", 600 }, { "1h", 3600 },
  { "1h30m", 5400 }, { "2h0m15s", 7215 }, { "1m30s", 90 }, { "0h5s", 5 },
  { "007", 7 }, { "876h", 3153600 },
  { "3162240000", 3162240000 },                  /* 100 years of 366 days */
  { "878400h", 3162240000 },
};

static const struct {
  const char *text;
  const char *why;
} bad_durations[] = {
  { "", "empty" }, { "-5", "negative" }, { "-1h", "negative" },
  { "10x", "unknown unit \"x\"" }, { "1d", "unknown unit \"d\"" },
  { "1h30", "no unit" }, { "h", "expected a number" },
  { "1h 30m", "expected a number" }, { "1.5h", "unknown unit \".\"" },
  { "30m1h", "hours to seconds" }, { "1m1m", "hours to seconds" },
  { "3162240001", "too long" }, { "878401h", "too long" },
  { "99999999999999999999999", "too long" },
  { "18446744073709551616s", "too long" },
  { "5124095576030432h", "too long" },           /* * 3600 wraps 2^64 */
  { " 5", "expected a number" }, { "5m ", "expected a number" },
};

/* now: Wednesday 2026-12-02 21:30:00 UTC. */
#define NOW ((time_t) 1796247000)

static const struct {
  const char *text;
  time_t at;
} good_times_utc[] = {
  { "now", NOW },
  { "+90", NOW + 90 }, { "+1h30m", NOW + 5400 }, { "+0s", NOW },
  { "2026-12-24T22:00Z", 1798149600 },
  { "2026-12-24T22:00:30Z", 1798149630 },
  { "2028-02-29T00:00:00Z", 1835395200 },        /* a leap day */
  { "1970-01-01T00:00Z", 0 },
  /* in TZ=UTC0 below, local = UTC */
  { "2026-12-24T22:00", 1798149600 },
  { "22:00", NOW + 1800 },                       /* later today */
  { "21:30", NOW + 86400 },                      /* now: tomorrow */
  { "08:15", NOW + 86400 - 47700 },              /* passed: tomorrow */
  { "00:00", NOW + 9000 },
};

static const struct {
  const char *text;
  const char *why;
} bad_times[] = {
  { "", "expected now" }, { "tomorrow", "expected now" },
  { "Now", "expected now" }, { "+", "empty" }, { "+-5", "negative" },
  { "+5x", "unknown unit" }, { "24:00", "expected now" },
  { "12:60", "expected now" }, { "1:30", "expected now" },
  { "12:30:00", "expected now" }, { "2026-12-24", "expected now" },
  { "2026-12-24 22:00", "expected now" },
  { "2026-12-24T22:00+01", "expected now" },
  { "2026-13-01T00:00Z", "no such date" },
  { "2027-02-29T00:00Z", "no such date" },
  { "2026-04-31T00:00", "no such date" },
  { "2026-00-10T00:00Z", "no such date" },
  { "2026-12-24T22:00:60Z", "expected now" },
  { "2026-12-24T22:00ZZ", "expected now" },
};

int
main (void)
{
  uint64_t sec;
  time_t at;

  for (size_t i = 0; i < sizeof good_durations / sizeof good_durations[0];
       i++) {
    if (duration_parse (good_durations[i].text, &sec) == -1)
      FAIL ("\"%s\" refused: %s", good_durations[i].text, error_message ());
    if (sec != good_durations[i].seconds)
      FAIL ("\"%s\" = %llu s, expected %llu", good_durations[i].text,
            (unsigned long long) sec,
            (unsigned long long) good_durations[i].seconds);
  }
  for (size_t i = 0; i < sizeof bad_durations / sizeof bad_durations[0];
       i++) {
    error_clear ();
    if (duration_parse (bad_durations[i].text, &sec) != -1)
      FAIL ("\"%s\" accepted", bad_durations[i].text);
    if (strstr (error_message (), bad_durations[i].why) == NULL
        || strstr (error_message (), "duration \"") == NULL)
      FAIL ("\"%s\": message \"%s\" does not say \"%s\"",
            bad_durations[i].text, error_message (), bad_durations[i].why);
  }

  setenv ("TZ", "UTC0", 1);
  tzset ();
  for (size_t i = 0; i < sizeof good_times_utc / sizeof good_times_utc[0];
       i++) {
    if (duration_parse_time (good_times_utc[i].text, NOW, &at) == -1)
      FAIL ("time \"%s\" refused: %s", good_times_utc[i].text,
            error_message ());
    if (at != good_times_utc[i].at)
      FAIL ("time \"%s\" = %lld, expected %lld", good_times_utc[i].text,
            (long long) at, (long long) good_times_utc[i].at);
  }
  for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++) {
    error_clear ();
    if (duration_parse_time (bad_times[i].text, NOW, &at) != -1)
      FAIL ("time \"%s\" accepted", bad_times[i].text);
    if (strstr (error_message (), bad_times[i].why) == NULL
        || strstr (error_message (), bad_times[i].text) == NULL)
      FAIL ("time \"%s\": message \"%s\" does not say \"%s\"",
            bad_times[i].text, error_message (), bad_times[i].why);
  }

  /* Central European time: UTC+1, UTC+2 from the last Sunday of March
   * 02:00 to the last Sunday of October 03:00. */
  setenv ("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  tzset ();
  /* local time without Z: 2026-12-24T22:00 CET = 21:00 UTC */
  CHECK (duration_parse_time ("2026-12-24T22:00", NOW, &at) == 0);
  CHECK (at == 1798149600 - 3600);
  /* summer: 2026-07-01T12:00 CEST = 10:00 UTC = 1782900000 */
  CHECK (duration_parse_time ("2026-07-01T12:00", NOW, &at) == 0);
  CHECK (at == 1782900000);
  /* the Z form ignores the zone */
  CHECK (duration_parse_time ("2026-12-24T22:00Z", NOW, &at) == 0);
  CHECK (at == 1798149600);
  /* now = 22:30 CET: 23:00 is today (+30 min), 22:00 tomorrow */
  CHECK (duration_parse_time ("23:00", NOW, &at) == 0 && at == NOW + 1800);
  CHECK (duration_parse_time ("22:00", NOW, &at) == 0
         && at == NOW + 86400 - 1800);
  /* Saturday 2026-03-28 12:00 CET (11:00 UTC = 1774695600); the clocks go
   * forward that night: Sunday 09:00 CEST is 07:00 UTC, 20 h later. */
  CHECK (duration_parse_time ("09:00", 1774695600, &at) == 0);
  CHECK (at == 1774695600 + 20 * 3600);
  return 0;
}
