/* test.h: tiny assertion helpers for ferry's unit tests.
 *
 * A test is a program: exit 0 = pass, 1 = fail, 77 = skipped.
 */
#ifndef FERRY_TEST_H
#define FERRY_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "util/error.h"

#define TEST_SKIP 77

#define FAIL(...)                                                           \
  do {                                                                      \
    fprintf (stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                   \
    fprintf (stderr, __VA_ARGS__);                                          \
    fputc ('\n', stderr);                                                   \
    exit (1);                                                               \
  } while (0)

#define SKIP(...)                                                           \
  do {                                                                      \
    fprintf (stderr, "SKIP: ");                                             \
    fprintf (stderr, __VA_ARGS__);                                          \
    fputc ('\n', stderr);                                                   \
    exit (TEST_SKIP);                                                       \
  } while (0)

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond))                                                            \
      FAIL ("check failed: %s (last error: %s)", #cond, error_message ());  \
  } while (0)

#endif
