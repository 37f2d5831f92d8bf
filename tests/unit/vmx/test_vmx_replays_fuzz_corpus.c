/* Every committed fuzz input for the VMX parser (fuzz/corpus/vmx/ and
 * tests/data/fuzz/vmx/) still parses or fails cleanly; under the
 * sanitizers this is the regression test of every fuzzer finding.
 * Argument: the source root. */
#include <dirent.h>

#include "vmxtest.h"

static int
replay (const char *dir)
{
  DIR *dp = opendir (dir);
  struct dirent *d;
  int n = 0;

  if (dp == NULL)
    return 0;
  while ((d = readdir (dp)) != NULL) {
    struct vmx_file *f;
    uint8_t *data;
    size_t len;
    char *path;

    if (d->d_name[0] == '.')
      continue;
    path = test_printf ("%s/%s", dir, d->d_name);
    data = test_read_file (path, &len);
    if (vmx_file_parse ((const char *) data, len, d->d_name, &f) == 0)
      vmx_file_free (f);
    else
      CHECK (error_message ()[0] != '\0');
    free (data);
    n++;
  }
  closedir (dp);
  return n;
}

int
main (int argc, char **argv)
{
  int n;

  CHECK (argc == 2);
  n = replay (test_printf ("%s/fuzz/corpus/vmx", argv[1]));
  n += replay (test_printf ("%s/tests/data/fuzz/vmx", argv[1]));
  fprintf (stderr, "%d inputs replayed\n", n);
  CHECK (n > 0);
  return 0;
}
