/* test_warm_interval_and_prediction: --interval auto and the predicted
 * downtime follow the formulas of docs/warm-migration.md, worked out by
 * hand here: a sync aimed at 30 s of copying, bounded to [60 s, 1 h];
 * shutdown + final delta + verification + define; D >= R does not
 * converge; the catch-up covers half an interval when the interval is
 * known; nothing is predicted before a copy rate is known.  The
 * downtime's JSON has the keys plan show promises. */
#include <math.h>

#include "test.h"
#include "migrate/warm.h"

#define MIB (1024.0 * 1024)

static void
expect_interval (double dirty, double copy, double want)
{
  struct warm_rates r = { .dirty_rate = dirty * MIB, .copy_rate = copy * MIB };
  double got = warm_interval_auto (&r);

  if (fabs (got - want) > 1e-6)
    FAIL ("interval for D=%g R=%g MiB/s: got %g s, want %g s", dirty, copy,
          got, want);
}

int
main (void)
{
  struct warm_rates r = {
    .dirty_rate = 1 * MIB, .copy_rate = 100 * MIB, .view_seconds = 2,
    .disk_bytes = 4096 * MIB, .hash_rate = 50 * MIB,
    .shutdown_seconds = 10, .define_seconds = 3,
  };
  struct warm_downtime d = { 1, 2, 3, 4, 5, 6, 21, 4096 };
  const char *keys[] = { "shutdown-seconds", "final-sync-seconds",
                         "verify-seconds", "adapt-seconds", "define-seconds",
                         "boot-seconds", "total-seconds", "verified-bytes" };
  bool converges;
  double p;
  json_t *j;

  expect_interval (10, 100, 300);       /* 30 s x 100 / 10 */
  expect_interval (0, 100, 3600);       /* nothing written: hourly */
  expect_interval (5, 0, 60);           /* no rate yet: look again soon */
  expect_interval (100, 100, 60);       /* 30 s, below the floor */
  expect_interval (0.1, 100, 3600);     /* 30000 s, above the ceiling */

  /* catch-up = 2 + 1 x (2 + 30) / 100 = 2.32 s
   * final    = 2 + 1 x (2.32 + 10) / 100 = 2.1232 s
   * verify   = 4096 / 50 = 81.92 s
   * total    = 10 + 2.1232 + 81.92 + 3 = 97.0432 s */
  p = warm_predict_downtime (&r, &converges);
  if (fabs (p - 97.0432) > 1e-6 || !converges)
    FAIL ("predicted %g s (converges %d), want 97.0432 s", p, converges);

  /* With syncs every 20 s, the catch-up copies half an interval's writes:
   * catch-up = 2 + 1 x (2 + 10) / 100 = 2.12 s
   * final    = 2 + 1 x (2.12 + 10) / 100 = 2.1212 s
   * total    = 10 + 2.1212 + 81.92 + 3 = 97.0412 s */
  r.interval = 20;
  p = warm_predict_downtime (&r, &converges);
  if (fabs (p - 97.0412) > 1e-6 || !converges)
    FAIL ("predicted %g s with a 20 s interval, want 97.0412 s", p);

  r.dirty_rate = 200 * MIB;
  warm_predict_downtime (&r, &converges);
  CHECK (!converges);

  r.copy_rate = 0;
  CHECK (warm_predict_downtime (&r, &converges) == -1);

  j = warm_downtime_json (&d);
  CHECK (j != NULL && json_object_size (j) == 8);
  for (size_t i = 0; i < 8; i++) {
    double want = i < 6 ? i + 1 : i == 6 ? 21 : 4096;
    if (json_number_value (json_object_get (j, keys[i])) != want)
      FAIL ("downtime JSON: %s is wrong or missing", keys[i]);
  }
  json_decref (j);
  return 0;
}
