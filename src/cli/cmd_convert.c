/* cmd_convert.c: `ferry convert [-f FMT] -O raw|qcow2 [-o OPTS] [-p] [-m N]
 * SRC DST`.
 *
 * DST is created fresh (so it reads as zeros and the mover writes only
 * data), filled by the mover, flushed and closed.  On any failure the
 * partial DST is removed: a half-written image must never be mistaken for a
 * good one.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "copy/copy.h"
#include "disk/disk.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/progress.h"

static void
convert_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry convert [-f FORMAT] -O raw|qcow2 [-o OPTIONS] [-p] [-m WORKERS]\n"
           "                     SOURCE TARGET\n"
           "\n"
           "Copy the guest-visible content of SOURCE (with its backing chain) into a\n"
           "new image TARGET.  Holes and runs of zeros are not written.\n"
           "\n"
           "  -f, --format FORMAT       SOURCE's format (default: probed from content)\n"
           "  -O, --output-format FMT   TARGET's format: raw or qcow2\n"
           "  -o, --options OPTIONS     comma-separated target options:\n"
           "                              cluster_size=SIZE (qcow2; default 64k)\n"
           "  -p, --progress            show progress\n"
           "  -m, --workers N           parallel workers (default: 2 per CPU, max 8)\n"
           "  -h, --help                this help\n");
}

static int
convert_parse_options (char *options, struct disk_create_options *create)
{
  char *save = NULL;

  for (char *opt = strtok_r (options, ",", &save); opt;
       opt = strtok_r (NULL, ",", &save)) {
    char *value = strchr (opt, '=');
    unsigned long long v;

    if (value == NULL) {
      cli_error ("convert: option '%s' needs a value (NAME=VALUE)", opt);
      return -1;
    }
    *value++ = '\0';
    if (strcmp (opt, "cluster_size") == 0) {
      if (cli_parse_size (value, &v) == -1 || v > UINT32_MAX) {
        cli_error ("convert: cluster_size: invalid size '%s'", value);
        return -1;
      }
      create->cluster_size = v;
    }
    else {
      cli_error ("convert: unknown option '%s'", opt);
      return -1;
    }
  }
  return 0;
}

/* Whether path names a file this process has open: a layer or extent
 * file of the source.  Creating the target would truncate it. */
static bool
convert_target_is_open (const char *path)
{
  struct stat target, st;
  struct dirent *d;
  DIR *dir;
  bool found = false;

  if (stat (path, &target) == -1)
    return false;               /* does not exist yet */
  dir = opendir ("/proc/self/fd");
  if (dir == NULL)
    return false;
  while (!found && (d = readdir (dir)) != NULL) {
    int fd = atoi (d->d_name);
    if (d->d_name[0] != '.' && fd != dirfd (dir) && fstat (fd, &st) == 0)
      found = st.st_dev == target.st_dev && st.st_ino == target.st_ino;
  }
  closedir (dir);
  return found;
}

static void
convert_progress (void *opaque, uint64_t bytes)
{
  progress_add (opaque, bytes);
}

int
cmd_convert (int argc, char **argv)
{
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "format", required_argument, NULL, 'f' },
    { "output-format", required_argument, NULL, 'O' },
    { "options", required_argument, NULL, 'o' },
    { "progress", no_argument, NULL, 'p' },
    { "workers", required_argument, NULL, 'm' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL, *output_format = NULL, *src_path, *dst_path;
  CLEANUP_FREE char *options = NULL;
  struct disk_create_options create = { 0 };
  struct copy_options copy = { .target_is_zero = true };
  struct copy_stats stats;
  struct progress *progress = NULL;
  struct disk *src = NULL, *dst = NULL;
  bool show_progress = false, created = false;
  unsigned long long workers;
  int c;

  while ((c = getopt_long (argc, argv, "+:hf:O:o:pm:", long_options, NULL))
         != -1) {
    switch (c) {
    case 'h': convert_usage (stdout); return 0;
    case 'f': format = optarg; break;
    case 'O': output_format = optarg; break;
    case 'o':
      free (options);
      options = strdup (optarg);
      if (options == NULL) {
        cli_error ("convert: out of memory");
        return EXIT_ERROR;
      }
      break;
    case 'p': show_progress = true; break;
    case 'm':
      if (cli_parse_size (optarg, &workers) == -1 || workers == 0
          || workers > COPY_MAX_WORKERS) {
        cli_error ("convert: -m: expected 1 to %d workers, got '%s'",
                   COPY_MAX_WORKERS, optarg);
        return EXIT_ERROR;
      }
      copy.workers = workers;
      break;
    default: return cli_option_error ("convert", c, argv);
    }
  }
  if (argc - optind != 2) {
    cli_error ("convert: expected SOURCE and TARGET");
    return cli_usage_error ("convert");
  }
  if (output_format == NULL) {
    cli_error ("convert: the target format (-O raw|qcow2) is required");
    return cli_usage_error ("convert");
  }
  if (strcmp (output_format, "raw") != 0 && strcmp (output_format, "qcow2") != 0) {
    cli_error ("convert: cannot write format '%s' (raw and qcow2 can be written)",
               output_format);
    return EXIT_ERROR;
  }
  if (options && convert_parse_options (options, &create) == -1)
    return EXIT_ERROR;
  src_path = argv[optind];
  dst_path = argv[optind + 1];

  src = disk_open (src_path, format, 0);
  if (src == NULL)
    goto fail;
  if (convert_target_is_open (dst_path)) {
    error_set ("convert: %s is part of the source %s; refusing to overwrite it",
               dst_path, src_path);
    goto fail;
  }
  create.size = src->size;
  if (disk_create (output_format, dst_path, &create) == -1)
    goto fail;
  created = true;
  dst = disk_open (dst_path, output_format, DISK_OPEN_WRITE);
  if (dst == NULL)
    goto fail;

  if (show_progress) {
    progress = progress_start ("converting", src->size, stderr);
    if (progress == NULL)
      goto fail;
    copy.progress = convert_progress;
    copy.opaque = progress;
  }
  if (copy_disk (src, dst, &copy, &stats) == -1)
    goto fail;
  progress_finish (progress);
  progress = NULL;
  disk_close (dst);
  disk_close (src);
  return 0;

fail:
  cli_fail ();
  if (progress)
    progress_finish (progress);
  disk_close (dst);
  disk_close (src);
  if (created)
    unlink (dst_path);
  return EXIT_ERROR;
}
