/* test_testboot_timeout: a disk that boots nothing (SeaBIOS finds no boot
 * sector and keeps retrying) gives "timeout" after the time allowed, and
 * QEMU is stopped at once. */
#include "boottest.h"

int
main (int argc, char **argv)
{
  struct testboot_disk d;
  struct testboot tb;
  double wall;
  json_t *result;

  bt_init (argc, argv);
  test_run ("truncate -s 64M blank.raw");
  d = (struct testboot_disk) { .path = test_printf ("%s/blank.raw",
                                                    test_dir ()),
                               .format = "raw" };
  tb = bt_request (&d, NULL, 3);
  result = bt_boot (&tb, &wall);
  bt_expect (result, &tb, "timeout");
  CHECK (bt_string (result, "saw") == NULL);
  CHECK (strstr (bt_string (result, "reason"), "/login:/ within 3 s"));
  CHECK (bt_seconds (result) >= 3 && bt_seconds (result) < 3.5);
  /* QEMU stopped by SIGTERM, not after the 5 s grace; a KVM probe may
   * come first (at most 3 s). */
  CHECK (wall < 3 + 3 + 4);
  json_decref (result);
  return 0;
}
