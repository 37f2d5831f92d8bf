/* Every committed fuzz input (the seed corpora in fuzz/corpus/NAME and the
 * findings kept in tests/data/fuzz/NAME) still goes through its harness,
 * fuzz/fuzz_NAME.c, without a crash.  Under AddressSanitizer this is the
 * regression test of every fuzzer finding.
 *
 * The harnesses are those of fuzz_harnesses (top-level meson.build), each
 * linked in with its entry point renamed fuzz_replay_NAME and listed in
 * FUZZ_HARNESSES.  So that no harness goes unreplayed, the test fails when
 * a fuzz/fuzz_*.c harness or a corpus directory has no entry, and when an
 * entry has no seed corpus.  Argument: the source root.
 *
 * Must never: write anything. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define HARNESS(name) int fuzz_replay_##name (const uint8_t *, size_t);
FUZZ_HARNESSES
#undef HARNESS

static const struct harness {
  const char *name;
  int (*one_input) (const uint8_t *data, size_t size);
} harnesses[] = {
#define HARNESS(name) { #name, fuzz_replay_##name },
  FUZZ_HARNESSES
#undef HARNESS
};

static const struct harness *
harness_find (const char *name)
{
  for (size_t i = 0; i < sizeof harnesses / sizeof harnesses[0]; i++)
    if (strcmp (harnesses[i].name, name) == 0)
      return &harnesses[i];
  return NULL;
}

/* Every subdirectory of root/dir is a harness's name. */
static void
check_corpus_names (const char *root, const char *dir)
{
  char path[4096];
  struct dirent *d;
  DIR *dp;

  snprintf (path, sizeof path, "%s/%s", root, dir);
  dp = opendir (path);
  if (dp == NULL)
    return;
  while ((d = readdir (dp)) != NULL)
    if (d->d_name[0] != '.' && harness_find (d->d_name) == NULL)
      FAIL ("%s/%s: no fuzz harness of that name in fuzz_harnesses "
            "(meson.build)", dir, d->d_name);
  closedir (dp);
}

/* Every fuzz/fuzz_NAME.c but the shared fuzz_image.c is a harness. */
static void
check_harness_sources (const char *root)
{
  char path[4096];
  struct dirent *d;
  DIR *dp;

  snprintf (path, sizeof path, "%s/fuzz", root);
  dp = opendir (path);
  CHECK (dp != NULL);
  while ((d = readdir (dp)) != NULL) {
    size_t len = strlen (d->d_name);
    char name[256];

    if (strncmp (d->d_name, "fuzz_", 5) != 0 || len < 7 || len - 7 >= sizeof name
        || strcmp (d->d_name + len - 2, ".c") != 0
        || strcmp (d->d_name, "fuzz_image.c") == 0)
      continue;
    memcpy (name, d->d_name + 5, len - 7);
    name[len - 7] = '\0';
    if (harness_find (name) == NULL)
      FAIL ("fuzz/%s: harness missing from fuzz_harnesses (meson.build)",
            d->d_name);
  }
  closedir (dp);
}

/* Feed every file of dir to h; returns how many. */
static int
replay_dir (const char *dir, const struct harness *h)
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
    h->one_input (data, size);
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
  check_harness_sources (argv[1]);
  check_corpus_names (argv[1], "fuzz/corpus");
  check_corpus_names (argv[1], "tests/data/fuzz");
  for (size_t i = 0; i < sizeof harnesses / sizeof harnesses[0]; i++) {
    const struct harness *h = &harnesses[i];
    char dir[4096];
    int seeds, findings;

    snprintf (dir, sizeof dir, "%s/fuzz/corpus/%s", argv[1], h->name);
    seeds = replay_dir (dir, h);
    if (seeds == 0)
      FAIL ("fuzz/corpus/%s: no seed inputs for harness fuzz_%s", h->name,
            h->name);
    snprintf (dir, sizeof dir, "%s/tests/data/fuzz/%s", argv[1], h->name);
    findings = replay_dir (dir, h);
    printf ("fuzz_%s: replayed %d seeds, %d findings\n", h->name, seeds,
            findings);
    total += seeds + findings;
  }
  printf ("replayed %d inputs\n", total);
  return 0;
}
