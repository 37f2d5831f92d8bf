/* test_testboot_panic_fails_fast: a guest whose kernel panics (its
 * initramfs init does not exist) gives "failed" with the panic line, well
 * before the timeout. */
#include "boottest.h"

int
main (int argc, char **argv)
{
  struct testboot_disk d;
  struct testboot tb;
  double wall;
  json_t *result;

  bt_init (argc, argv);
  bt_build_guest ("panic.raw", "--append rdinit=/nowhere");
  d = (struct testboot_disk) { .path = test_printf ("%s/panic.raw",
                                                    test_dir ()) };
  tb = bt_request (&d, "FERRY-GUEST-BOOTED", 300);
  result = bt_boot (&tb, &wall);
  bt_expect (result, &tb, "failed");
  CHECK (strstr (bt_string (result, "saw"), "Kernel panic") != NULL);
  CHECK (strstr (bt_string (result, "reason"), "Kernel panic") != NULL);
  /* Fast: decided by the sign, not by the timeout (a TCG boot to the
   * panic takes seconds). */
  CHECK (bt_seconds (result) < 100 && wall < 110);
  json_decref (result);
  return 0;
}
