/* The human report: one line per finding, "NAME: SEVERITY  rule  message",
 * severities and rule ids in aligned columns, Critical first, then
 * Warning, then Info, each in the order found; "NAME: no findings" when
 * clean; no "NAME: " prefix when the name is NULL. */
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

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;
  char *text, *want;

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();

  valt_run (&vm, &ctx, &f);
  text = print ("web01", &f);
  CHECK (strcmp (text, "web01: no findings\n") == 0);
  free (text);

  vm.usb = true;                 /* Info, found last */
  vm.tpm = true;                 /* Warning */
  vm.memory_mib = 0;             /* Critical, found first */
  vm.cpu_hot_add = true;         /* Info */
  valt_run (&vm, &ctx, &f);
  CHECK (f.len == 4);
  text = print ("web01", &f);
  if (asprintf (&want,
                "web01: CRITICAL  memory-invalid         %s\n"
                "web01: WARNING   tpm-present            %s\n"
                "web01: INFO      usb-controller         %s\n"
                "web01: INFO      cpu-hotplug            %s\n",
                f.ptr[0].message, f.ptr[1].message, f.ptr[2].message,
                f.ptr[3].message) == -1)
    FAIL ("out of memory");
  if (strcmp (text, want) != 0)
    FAIL ("got:\n%s\nexpected:\n%s", text, want);
  free (text);
  free (want);

  text = print (NULL, &f);
  CHECK (strncmp (text, "CRITICAL  memory-invalid ", 25) == 0);
  free (text);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
