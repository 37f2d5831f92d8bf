/* Malformed specs are refused with a message that quotes the spec and
 * says what is wrong, and leave the mapping unchanged. */
#include "validatetest.h"

static void
expect_rejected (struct mapping *m, const char *spec, const char *want)
{
  error_clear ();
  if (mapping_add (m, spec) != -1)
    FAIL ("mapping_add \"%s\" succeeded", spec);
  fprintf (stderr, "error (as expected): %s\n", error_message ());
  if (strstr (error_message (), want) == NULL)
    FAIL ("error \"%s\" does not contain \"%s\"", error_message (), want);
  if (strncmp (error_message (), "mapping: \"", 10) != 0)
    FAIL ("error \"%s\" does not quote the spec", error_message ());
  CHECK (m->entries.len == 1 && m->default_target == NULL);
}

int
main (void)
{
  struct mapping m = MAPPING_INIT;

  CHECK (mapping_add (&m, "VM Network=default") == 0);

  expect_rejected (&m, "", "expected SOURCE=TARGET");
  expect_rejected (&m, "VM Network", "expected SOURCE=TARGET");
  expect_rejected (&m, "=default", "the source name before '=' is empty");
  expect_rejected (&m, "DMZ=", "the target name after the last '=' is empty");
  expect_rejected (&m, "*=", "the target name after the last '=' is empty");
  expect_rejected (&m, "DMZ = dmz", "starts or ends with whitespace");
  expect_rejected (&m, " DMZ=dmz", "starts or ends with whitespace");
  expect_rejected (&m, "DMZ=dmz ", "starts or ends with whitespace");
  expect_rejected (&m, "DMZ=pools/fast", "contains '/'");
  expect_rejected (&m, "DMZ\t1=dmz", "control characters");
  expect_rejected (&m, "DMZ=dmz\n", "control characters");

  mapping_free (&m);
  return 0;
}
