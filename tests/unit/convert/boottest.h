/* boottest.h: what the test boot's tests share (convert/testboot.h).
 *
 * The guest is the tiny one of tests/guest (build-guest.sh: boots on
 * virtio in seconds, prints "FERRY-GUEST-BOOTED <marker>" on the serial
 * console, powers off).  A test is given the source root as its first
 * argument.  After every boot: the disk's file is byte for byte as before
 * (cmp with a copy: the oracle is not ferry), the private directory is
 * gone from the work directory, and no child process is left.
 */
#ifndef FERRY_TESTS_BOOTTEST_H
#define FERRY_TESTS_BOOTTEST_H

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "convert/testboot.h"
#include "imagetest.h"
#include "util/clock.h"

static const char *bt_root;

/* qemu-img (for the images) and qemu-system-x86_64 (to boot) or SKIP. */
static inline void
bt_init (int argc, char **argv)
{
  if (argc < 2)
    FAIL ("usage: %s SOURCE_ROOT", argv[0]);
  bt_root = argv[1];
  test_init (true);
  if (test_run_status ("command -v qemu-system-x86_64 >/dev/null") != 0)
    SKIP ("qemu-system", "qemu-system-x86_64 is not installed (Debian: "
          "qemu-system-x86)");
  test_run ("mkdir work");
}

/* The test guest as name (raw), built with build-guest.sh's options. */
static inline void
bt_build_guest (const char *name, const char *options)
{
  if (test_run_status ("%s/tests/guest/build-guest.sh %s %s >build.log 2>&1",
                       bt_root, name, options) != 0) {
    test_run_status ("cat build.log >&2");
    FAIL ("build-guest.sh %s %s failed", name, options);
  }
}

/* A boot request for one disk, BIOS, 256 MiB, one NIC. */
static inline struct testboot
bt_request (const struct testboot_disk *disk, const char *marker,
            double timeout)
{
  static const char *const macs[] = { "52:54:00:fe:77:01" };

  return (struct testboot) {
    .disks = disk, .nr_disks = 1, .macs = macs, .nr_nics = 1,
    .firmware = TESTBOOT_BIOS, .memory_mib = 256, .timeout = timeout,
    .marker = marker, .serial_log = test_printf ("%s/serial.log", test_dir ()),
    .work_dir = test_printf ("%s/work", test_dir ()),
  };
}

/* Boot; the result (printed to stderr).  The disk's file must be
 * unchanged afterwards, and nothing left behind. */
static inline json_t *
bt_boot (const struct testboot *tb, double *wall)
{
  const char *disk = tb->disks[0].path;
  double start = clock_monotonic ();
  json_t *result = NULL;
  char *text;
  int status;

  test_run ("cp --sparse=always '%s' disk.before", disk);
  if (testboot_run (tb, &result) == -1)
    FAIL ("testboot_run: %s", error_message ());
  *wall = clock_monotonic () - start;
  text = json_dumps (result, JSON_INDENT (2));
  fprintf (stderr, "%s\n(%.1f s in all)\n", text, *wall);
  free (text);
  if (test_run_status ("cmp -s '%s' disk.before", disk) != 0)
    FAIL ("the test boot changed %s", disk);
  test_run ("test -z \"$(ls -A work)\"");
  CHECK (waitpid (-1, &status, WNOHANG) == -1 && errno == ECHILD);
  return result;
}

static inline const char *
bt_string (json_t *result, const char *key)
{
  json_t *v = json_object_get (result, key);

  if (v == NULL)
    FAIL ("the result has no \"%s\"", key);
  return json_is_null (v) ? NULL : json_string_value (v);
}

static inline double
bt_seconds (json_t *result)
{
  json_t *v = json_object_get (result, "seconds");

  CHECK (json_is_number (v));
  return json_number_value (v);
}

/* The result's common fields: state, accelerator, log path. */
static inline void
bt_expect (json_t *result, const struct testboot *tb, const char *state)
{
  const char *accel = bt_string (result, "accelerator");

  if (strcmp (bt_string (result, "result"), state) != 0)
    FAIL ("result \"%s\", expected \"%s\" (reason: %s)",
          bt_string (result, "result"), state,
          bt_string (result, "reason") ? bt_string (result, "reason") : "-");
  CHECK (accel && (strcmp (accel, "kvm") == 0 || strcmp (accel, "tcg") == 0));
  CHECK (strcmp (bt_string (result, "serial-log"), tb->serial_log) == 0);
  CHECK (bt_seconds (result) > 0);
  CHECK ((bt_string (result, "reason") == NULL)
         == (strcmp (state, "booted") == 0));
}

#endif
