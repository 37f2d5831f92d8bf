/* converttest.h: helpers of the guest adaptation tests (the pure half of
 * src/convert/: text in, text out).
 *
 * test_uuid() plays libguestfs's vfs_uuid for an appliance with two
 * disks: sda (partitions 1, 2, 5) and sdb (partition 1); any other device
 * does not exist.
 */
#ifndef FERRY_TESTS_CONVERTTEST_H
#define FERRY_TESTS_CONVERTTEST_H

#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "convert/convert_internal.h"

#define CHECK_TEXT(got, expected)                                           \
  do {                                                                      \
    const char *g_ = (got), *e_ = (expected);                               \
    if (g_ == NULL || strcmp (g_, e_) != 0)                                 \
      FAIL ("%s is:\n---\n%s---\nexpected:\n---\n%s---", #got,            \
            g_ ? g_ : "(null)\n", e_);                                      \
  } while (0)

static const struct { const char *dev, *uuid; } test_uuids[]
  __attribute__ ((unused)) = {
  { "/dev/sda1", "0f3c9a52-6d1e-4b8e-9a1f-2c5d7e8b9a01" },
  { "/dev/sda2", "7b1e4c3d-2a9f-4e6b-8c5d-1a2b3c4d5e6f" },
  { "/dev/sda5", "c2d3e4f5-a6b7-4c8d-9e0f-112233445566" },
  { "/dev/sdb1", "9e8d7c6b-5a49-4382-a716-0f1e2d3c4b5a" },
};

/* The devices test_uuid was asked about, space-separated. */
static __attribute__ ((unused)) char test_asked[512];

static __attribute__ ((unused)) char *
test_uuid (void *opaque, const char *dev)
{
  strncat (test_asked, dev, sizeof test_asked - strlen (test_asked) - 2);
  strcat (test_asked, " ");
  for (size_t i = 0; i < sizeof test_uuids / sizeof test_uuids[0]; i++)
    if (strcmp (test_uuids[i].dev, dev) == 0)
      return strdup (test_uuids[i].uuid);
  error_set ("%s: No such file or directory", dev);
  return NULL;
}

/* Parse text as file_name of style into a new vector; check that it
 * names exactly "name/mac name/mac ..." (mac "-" when none). */
static void __attribute__ ((unused))
test_netconf (const char *style, const char *file_name, const char *text,
              const char *expected)
{
  convert_iface_vector v = empty_vector;
  char got[512] = "";

  CHECK (convert_netconf_parse (style, file_name, text, &v) == 0);
  for (size_t i = 0; i < v.len; i++) {
    if (strcmp (v.ptr[i].style, style) != 0)
      FAIL ("%s: style %s", v.ptr[i].name, v.ptr[i].style);
    snprintf (got + strlen (got), sizeof got - strlen (got), "%s%s/%s",
              i ? " " : "", v.ptr[i].name, v.ptr[i].mac[0] ? v.ptr[i].mac : "-");
  }
  if (strcmp (got, expected) != 0)
    FAIL ("%s %s: got \"%s\", expected \"%s\"", style, file_name, got,
          expected);
  free (v.ptr);
}

#endif
