/* test_testboot_rejects_bad_requests: a request that cannot be booted is
 * refused with one clear message, before QEMU starts and without a serial
 * log or a private directory left behind. */
#include "boottest.h"

static void
expect_refused (const struct testboot *tb, const char *want)
{
  json_t *result = NULL;

  if (testboot_run (tb, &result) != -1)
    FAIL ("a request was accepted; expected \"%s\"", want);
  if (strstr (error_message (), want) == NULL)
    FAIL ("error \"%s\" does not contain \"%s\"", error_message (), want);
  CHECK (result == NULL);
  test_run ("test ! -e serial.log && test -z \"$(ls -A work)\"");
}

int
main (int argc, char **argv)
{
  static const char *const bad_mac[] = { "52:54:00:fe:77:1" };
  static const char *const multicast[] = { "01:54:00:fe:77:01" };
  static const char *const comma[] = { "52:54:00:fe:77,01" };
  struct testboot_disk d, missing;
  struct testboot tb, t;

  bt_init (argc, argv);
  test_run ("truncate -s 1M disk.raw");
  d = (struct testboot_disk) { .path = test_printf ("%s/disk.raw",
                                                    test_dir ()) };
  missing = (struct testboot_disk) { .path = test_printf ("%s/gone.raw",
                                                          test_dir ()) };
  tb = bt_request (&d, NULL, 10);

  t = tb; t.nr_disks = 0;
  expect_refused (&t, "0 disks given");
  t = tb; t.macs = bad_mac;
  expect_refused (&t, "\"52:54:00:fe:77:1\" is not a unicast MAC address");
  t = tb; t.macs = multicast;
  expect_refused (&t, "not a unicast MAC address");
  t = tb; t.macs = comma;
  expect_refused (&t, "not a unicast MAC address");
  t = tb; t.memory_mib = 0;
  expect_refused (&t, "memory 0 MiB is out of range");
  t = tb; t.timeout = 0;
  expect_refused (&t, "timeout must be a positive number");
  t = tb; t.timeout = NAN;
  expect_refused (&t, "timeout must be a positive number");
  t = tb; t.marker = "(unclosed";
  expect_refused (&t, "marker /(unclosed/");
  t = tb; t.serial_log = NULL;
  expect_refused (&t, "no serial log");
  t = tb; t.disks = &missing;
  expect_refused (&t, "gone.raw");
  t = tb; t.serial_log = test_printf ("%s/no/such/dir/serial.log",
                                      test_dir ());
  expect_refused (&t, "no/such/dir/serial.log: No such file or directory");
  return 0;
}
