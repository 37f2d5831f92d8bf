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

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      fprintf (stderr, "%s:%d: check failed: %s (last error: %s)\n",        \
               __FILE__, __LINE__, #cond, error_message ());                \
      exit (1);                                                             \
    }                                                                       \
  } while (0)

#endif
