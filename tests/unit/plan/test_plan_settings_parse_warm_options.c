/* test_plan_settings_parse_warm_options: the warm options a plan stores
 * (docs/plan-state-machine.md: interval in seconds or "auto", cutover-at,
 * max-downtime, shutdown-timeout) are read back into struct plan_settings
 * for the run; absent ones take their defaults (auto = 0, no cutover, no
 * limit, PLAN_SHUTDOWN_TIMEOUT_DEFAULT = 300 s), so a cold plan's options
 * parse as before; a value that is not a number of seconds above 0 is
 * refused, naming the option. */
#include "plantest.h"
#include "plan/plan_internal.h"

int
main (void)
{
  static const char *const bad[][2] = {
    { "{\"interval\": \"soon\"}", "interval" },
    { "{\"interval\": 0}", "interval" },
    { "{\"interval\": -60}", "interval" },
    { "{\"cutover-at\": \"auto\"}", "cutover-at" },
    { "{\"max-downtime\": -1}", "max-downtime" },
    { "{\"shutdown-timeout\": 0}", "shutdown-timeout" },
    { "{\"shutdown-timeout\": true}", "shutdown-timeout" },
  };
  struct plan_settings ps;

  CHECK (PLAN_SHUTDOWN_TIMEOUT_DEFAULT == 300);
  /* A cold plan's options, as plan create stores them. */
  CHECK (plan_settings_parse ("{\"map-network\": [], \"map-storage\": [],"
                              " \"compat\": false, \"tcg\": true,"
                              " \"force\": false}", &ps) == 0);
  CHECK (ps.tcg && !ps.compat);
  CHECK (ps.interval == 0 && ps.cutover_at == 0 && ps.max_downtime == 0);
  CHECK (ps.shutdown_timeout == 300);
  plan_settings_free (&ps);

  CHECK (plan_settings_parse ("{\"interval\": \"auto\", \"cutover-at\": null,"
                              " \"max-downtime\": null,"
                              " \"shutdown-timeout\": 300}", &ps) == 0);
  CHECK (ps.interval == 0 && ps.cutover_at == 0 && ps.max_downtime == 0);
  CHECK (ps.shutdown_timeout == 300);
  plan_settings_free (&ps);

  CHECK (plan_settings_parse ("{\"interval\": 600, \"cutover-at\":"
                              " 1798149600, \"max-downtime\": 90.5,"
                              " \"shutdown-timeout\": 45}", &ps) == 0);
  CHECK (ps.interval == 600 && ps.cutover_at == 1798149600);
  CHECK (ps.max_downtime == 90.5 && ps.shutdown_timeout == 45);
  plan_settings_free (&ps);

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    error_clear ();
    if (plan_settings_parse (bad[i][0], &ps) != -1)
      FAIL ("%s accepted", bad[i][0]);
    if (strstr (error_message (), bad[i][1]) == NULL)
      FAIL ("%s: message \"%s\" does not name %s", bad[i][0],
            error_message (), bad[i][1]);
  }
  return 0;
}
