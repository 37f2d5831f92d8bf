/* Every committed fuzz input (the seed corpora in fuzz/corpus/ and the
 * findings kept in tests/data/fuzz/) still goes through the parsers
 * without a crash.  Under AddressSanitizer this is the regression test of
 * every fuzzer finding.  Arguments: directories named after the format. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fuzz/fuzz_image.h"
#include "test.h"

static int
replay_dir (const char *dir, const char *format)
{
  struct dirent *d;
  DIR *dp = opendir (dir);
  int n = 0;

  if (dp == NULL)
    return 0;
  while ((d = readdir (dp)) != NULL) {
    char path[4096];
    FILE *fp;
    uint8_t *data;
    long size;

    if (d->d_name[0] == '.')
      continue;
    snprintf (path, sizeof path, "%s/%s", dir, d->d_name);
    fp = fopen (path, "rb");
    CHECK (fp != NULL);
    CHECK (fseek (fp, 0, SEEK_END) == 0 && (size = ftell (fp)) >= 0);
    rewind (fp);
    data = malloc (size + 1);
    CHECK (data != NULL);
    CHECK (fread (data, 1, size, fp) == (size_t) size);
    fclose (fp);
    fuzz_image (data, size, format);
    free (data);
    n++;
  }
  closedir (dp);
  return n;
}

int
main (int argc, char **argv)
{
  int total = 0;

  /* argv: SOURCE_ROOT */
  CHECK (argc == 2);
  for (const char *const *f = (const char *const[]) { "qcow2", "vmdk", "vhd", "vhdx", NULL };
       *f; f++) {
    char dir[4096];
    snprintf (dir, sizeof dir, "%s/fuzz/corpus/%s", argv[1], *f);
    total += replay_dir (dir, *f);
    snprintf (dir, sizeof dir, "%s/tests/data/fuzz/%s", argv[1], *f);
    total += replay_dir (dir, *f);
  }
  printf ("replayed %d inputs\n", total);
  CHECK (total > 0);
  return 0;
}
