/* cmd_hash.c: `ferry hash [-f FMT] [-p] [-m N] IMAGE`: print the digest of
 * the image's guest-visible content (see src/copy/hash.h).  Two images with
 * the same content have the same digest whatever their formats. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "copy/copy.h"
#include "copy/hash.h"
#include "disk/disk.h"
#include "util/progress.h"

static void
hash_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry hash [-f FORMAT] [-p] [-m WORKERS] IMAGE\n"
           "\n"
           "Print the SHA-256 tree digest (ferry-sha256-tree-v1) of what a guest\n"
           "reads from IMAGE, followed by the image name.  The digest does not\n"
           "depend on the format: holes, zero clusters and written zeros hash\n"
           "alike.\n"
           "\n"
           "  -f, --format FORMAT  IMAGE's format (default: probed)\n"
           "  -p, --progress       show progress\n"
           "  -m, --workers N      parallel workers\n"
           "  -h, --help           this help\n");
}

static void
hash_progress (void *opaque, uint64_t bytes)
{
  progress_add (opaque, bytes);
}

int
cmd_hash (int argc, char **argv)
{
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "format", required_argument, NULL, 'f' },
    { "progress", no_argument, NULL, 'p' },
    { "workers", required_argument, NULL, 'm' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  bool show_progress = false;
  unsigned long long workers = 0;
  struct progress *progress = NULL;
  uint8_t digest[HASH_DIGEST_SIZE];
  char hex[HASH_HEX_SIZE];
  struct disk *disk;
  int c, r;

  while ((c = getopt_long (argc, argv, "+:hf:pm:", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': hash_usage (stdout); return 0;
    case 'f': format = optarg; break;
    case 'p': show_progress = true; break;
    case 'm':
      if (cli_parse_size (optarg, &workers) == -1 || workers == 0
          || workers > COPY_MAX_WORKERS) {
        cli_error ("hash: -m: expected 1 to %d workers, got '%s'",
                   COPY_MAX_WORKERS, optarg);
        return EXIT_ERROR;
      }
      break;
    default: return cli_option_error ("hash", c, argv);
    }
  }
  if (argc - optind != 1) {
    cli_error ("hash: expected one IMAGE");
    return cli_usage_error ("hash");
  }
  disk = disk_open (argv[optind], format, 0);
  if (disk == NULL)
    return cli_fail ();
  if (show_progress
      && (progress = progress_start ("hashing", disk->size, stderr)) == NULL) {
    disk_close (disk);
    return cli_fail ();
  }
  r = hash_disk (disk, workers, progress ? hash_progress : NULL, progress,
                 digest);
  progress_finish (progress);
  disk_close (disk);
  if (r == -1)
    return cli_fail ();
  hash_to_hex (digest, hex);
  printf ("%s  %s\n", hex, argv[optind]);
  return 0;
}
