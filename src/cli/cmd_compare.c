/* cmd_compare.c: `ferry compare [-f FMT] [-F FMT] A B`.
 *
 * Exit 0 when the guest-visible contents are identical (unallocated and
 * zero are equal; a longer image must read as zeros past the shorter one),
 * 1 when they differ (the first differing offset is printed), 2 on error.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "copy/copy.h"
#include "disk/disk.h"

static void
compare_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry compare [-f FORMAT] [-F FORMAT] IMAGE1 IMAGE2\n"
           "\n"
           "Compare the guest-visible content of two images (with their backing\n"
           "chains).  Exit status: 0 identical, 1 different (the first differing\n"
           "offset is printed), 2 error.\n"
           "\n"
           "  -f FORMAT   IMAGE1's format (default: probed)\n"
           "  -F FORMAT   IMAGE2's format (default: probed)\n"
           "  -h, --help  this help\n");
}

int
cmd_compare (int argc, char **argv)
{
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *format_a = NULL, *format_b = NULL;
  struct disk *a = NULL, *b = NULL;
  uint64_t difference = 0;
  int c, r;

  while ((c = getopt_long (argc, argv, "+:hf:F:", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': compare_usage (stdout); return 0;
    case 'f': format_a = optarg; break;
    case 'F': format_b = optarg; break;
    default: return cli_option_error ("compare", c, argv);
    }
  }
  if (argc - optind != 2) {
    cli_error ("compare: expected two images");
    return cli_usage_error ("compare");
  }
  a = disk_open (argv[optind], format_a, 0);
  if (a == NULL)
    return cli_fail ();
  b = disk_open (argv[optind + 1], format_b, 0);
  if (b == NULL) {
    disk_close (a);
    return cli_fail ();
  }
  r = copy_compare (a, b, &difference);
  if (r == -1)
    r = cli_fail ();
  else if (r == 1) {
    printf ("Content mismatch at offset %" PRIu64 "\n", difference);
    r = EXIT_DIFFERENT;
  }
  else
    printf ("Images are identical.\n");
  disk_close (b);
  disk_close (a);
  return r;
}
