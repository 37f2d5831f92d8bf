/* Replays fuzz/corpus/ovf/ (and tests/data/fuzz/ovf/ when present)
 * through the OVF parsers the harness drives: no input may crash them. */
#include <dirent.h>

#include "ovatest.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static unsigned
replay_dir (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *e;
  unsigned n = 0;

  if (d == NULL)
    return 0;
  while ((e = readdir (d)) != NULL) {
    char *path;
    uint8_t *data;
    size_t len;

    if (e->d_name[0] == '.')
      continue;
    path = test_printf ("%s/%s", dir, e->d_name);
    data = test_read_file (path, &len);
    LLVMFuzzerTestOneInput (data, len);
    free (data);
    n++;
  }
  closedir (d);
  return n;
}

int
main (int argc, char **argv)
{
  unsigned n;

  if (argc < 2)
    FAIL ("usage: %s SOURCE_ROOT", argv[0]);
  test_init (false);
  n = replay_dir (test_printf ("%s/fuzz/corpus/ovf", argv[1]));
  n += replay_dir (test_printf ("%s/tests/data/fuzz/ovf", argv[1]));
  if (n < 3)
    FAIL ("only %u seeds replayed", n);
  fprintf (stderr, "%u inputs replayed\n", n);
  return 0;
}
