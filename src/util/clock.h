/* clock.h: the time as seconds in a double — since the epoch for what is
 * recorded (the store, reports, downtime boundaries that a later process
 * continues), monotonic for durations measured within one process. */
#ifndef FERRY_UTIL_CLOCK_H
#define FERRY_UTIL_CLOCK_H

#include <time.h>

static inline double
clock_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double
clock_monotonic (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
