/* test.h: tiny assertion helpers for ferry's unit tests.
 *
 * A test is a program: exit 0 = pass, 1 = fail, 77 = skipped.  A test
 * skips only when a COMPONENT it needs (qemu-img, libvirt, libvhdi, ...:
 * see tests/README.md) is missing, and fails instead when the environment
 * variable FERRY_REQUIRE, a comma-separated list of components or "all",
 * names it (CI sets FERRY_REQUIRE=all).  The same rules hold for the shell
 * (tests/lib/require.sh) and Python (tests/integration/imagematrix.py)
 * tests.
 */
#ifndef FERRY_TEST_H
#define FERRY_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

#define TEST_SKIP 77

#define FAIL(...)                                                           \
  do {                                                                      \
    fprintf (stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                   \
    fprintf (stderr, __VA_ARGS__);                                          \
    fputc ('\n', stderr);                                                   \
    exit (1);                                                               \
  } while (0)

/* Whether FERRY_REQUIRE names component (or is "all"). */
static inline bool
test_required (const char *component)
{
  const char *list = getenv ("FERRY_REQUIRE");
  size_t len = strlen (component);

  while (list && *list) {
    size_t n = strcspn (list, ",");
    if ((n == 3 && strncmp (list, "all", 3) == 0)
        || (n == len && strncmp (list, component, n) == 0))
      return true;
    list += n + (list[n] == ',');
  }
  return false;
}

/* component is missing, so that what fmt says cannot be tested: print it
 * (as "SKIP" or "SKIP part"), or fail the test (exit 1) when it is
 * required. */
static inline void __attribute__ ((format (printf, 3, 4)))
test_missing (const char *component, bool whole, const char *fmt, ...)
{
  bool required = test_required (component);
  va_list ap;

  if (required)
    fprintf (stderr, "FAIL: FERRY_REQUIRE=%s requires %s, but: ",
             getenv ("FERRY_REQUIRE"), component);
  else
    fprintf (stderr, "SKIP%s (needs %s): ", whole ? "" : " part", component);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  if (required)
    exit (1);
}

/* SKIP (COMPONENT, FMT, ...): the test cannot run without COMPONENT:
 * exit 77, or 1 when FERRY_REQUIRE names it. */
#define SKIP(component, ...)                                                \
  do {                                                                      \
    test_missing ((component), true, __VA_ARGS__);                          \
    exit (TEST_SKIP);                                                       \
  } while (0)

/* SKIP_PART (COMPONENT, FMT, ...): a part of the test cannot run without
 * COMPONENT: say so and go on, or exit 1 when FERRY_REQUIRE names it. */
#define SKIP_PART(component, ...)                                           \
  test_missing ((component), false, __VA_ARGS__)

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond))                                                            \
      FAIL ("check failed: %s (last error: %s)", #cond, error_message ());  \
  } while (0)

#endif
