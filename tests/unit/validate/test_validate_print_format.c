/* The human report, against golden text written from docs/validation.md:
 * one line per finding, "NAME: " (left out without a name), the severity
 * in capitals padded to 8 characters, two spaces, the rule id padded to
 * the longest rule id (21 characters), two spaces, the message; Critical
 * first, then Warning, then Info, each in the order found; "NAME: no
 * findings" when there are none.  The findings are built here, with
 * messages of the test's own, so nothing expected comes from the rules. */
#include "validatetest.h"

static char *
print (const char *name, const finding_vector *f)
{
  char *text = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&text, &len);

  CHECK (fp != NULL);
  validate_print (fp, name, f);
  CHECK (fclose (fp) == 0);
  return text;
}

static void
add (finding_vector *f, const char *rule, enum finding_severity severity,
     const char *message)
{
  struct finding x = { .rule = rule, .severity = severity,
                       .message = valt_strdup (message), .disk = -1,
                       .nic = -1 };

  if (finding_vector_append (f, x) == -1)
    FAIL ("out of memory");
}

static void
expect_text (const char *name, const finding_vector *f, const char *want)
{
  char *text = print (name, f);

  if (strcmp (text, want) != 0)
    FAIL ("got:\n%s\nexpected:\n%s", text, want);
  free (text);
}

int
main (void)
{
  finding_vector f = empty_vector;

  test_init (false);

  expect_text ("web01", &f, "web01: no findings\n");
  expect_text (NULL, &f, "no findings\n");

  add (&f, "usb-controller", FINDING_INFO, "first found, an Info");
  add (&f, "memory-invalid", FINDING_CRITICAL, "a Critical");
  add (&f, "tpm-present", FINDING_WARNING, "a Warning");
  add (&f, "cpu-hotplug", FINDING_INFO, "a second Info");
  add (&f, "disk-shared-transient", FINDING_CRITICAL,
       "disk 1 (scsi0:1): the longest rule id");

  expect_text ("web01", &f,
               "web01: CRITICAL  memory-invalid         a Critical\n"
               "web01: CRITICAL  disk-shared-transient  disk 1 (scsi0:1): "
               "the longest rule id\n"
               "web01: WARNING   tpm-present            a Warning\n"
               "web01: INFO      usb-controller         first found, an Info\n"
               "web01: INFO      cpu-hotplug            a second Info\n");

  expect_text (NULL, &f,
               "CRITICAL  memory-invalid         a Critical\n"
               "CRITICAL  disk-shared-transient  disk 1 (scsi0:1): the "
               "longest rule id\n"
               "WARNING   tpm-present            a Warning\n"
               "INFO      usb-controller         first found, an Info\n"
               "INFO      cpu-hotplug            a second Info\n");

  validate_findings_free (&f);
  return 0;
}
