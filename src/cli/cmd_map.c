/* cmd_map.c: `ferry map [--json] [-f FMT] IMAGE`.
 *
 * Prints the chain's extents merged by (kind, depth).  The JSON form uses
 * the same keys and meanings as `qemu-img map --output=json`:
 * present = some layer allocates the range, zero = reads as zeros,
 * data = some layer holds data for it, depth = that layer (0 = top).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "disk/disk.h"
#include "util/error.h"

static void
map_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry map [--json] [-f FORMAT] IMAGE\n"
           "\n"
           "List the extents of an image and its backing chain: offset, length,\n"
           "whether they hold data or read as zeros, and the depth of the layer\n"
           "that holds them (0 = IMAGE itself).\n"
           "\n"
           "  -f, --format FORMAT  the top layer's format\n"
           "      --json           JSON, with the keys of qemu-img map\n"
           "  -h, --help           this help\n");
}

static const char *
map_type_name (enum extent_type type)
{
  switch (type) {
  case EXTENT_DATA: return "data";
  case EXTENT_ZERO: return "zero";
  case EXTENT_UNALLOCATED: return "unallocated";
  }
  return "?";
}

static void
map_print (const struct extent *e, bool json, bool first)
{
  if (json) {
    printf ("%s{ \"start\": %" PRIu64 ", \"length\": %" PRIu64
            ", \"depth\": %u, \"present\": %s, \"zero\": %s, \"data\": %s }",
            first ? "[" : ",\n", e->offset, e->length, e->depth,
            e->type != EXTENT_UNALLOCATED ? "true" : "false",
            e->type != EXTENT_DATA ? "true" : "false",
            e->type == EXTENT_DATA ? "true" : "false");
  }
  else
    printf ("%#18" PRIx64 " %#18" PRIx64 "  %-11s %u\n", e->offset,
            e->length, map_type_name (e->type), e->depth);
}

int
cmd_map (int argc, char **argv)
{
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "json", no_argument, NULL, 'j' },
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  bool json = false, first = true, have = false;
  struct extent cur = { 0 }, e;
  uint64_t offset = 0;
  struct disk *top;
  int c;

  while ((c = getopt_long (argc, argv, "+:hf:", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': map_usage (stdout); return 0;
    case 'j': json = true; break;
    case 'f': format = optarg; break;
    default: return cli_option_error ("map", c, argv);
    }
  }
  if (argc - optind != 1) {
    cli_error ("map: expected one IMAGE");
    return cli_usage_error ("map");
  }
  top = disk_open (argv[optind], format, 0);
  if (top == NULL)
    return cli_fail ();

  if (!json)
    printf ("%18s %18s  %-11s %s\n", "Offset", "Length", "Type", "Depth");
  while (offset < top->size) {
    if (disk_block_status (top, offset, top->size - offset, &e) == -1) {
      if (json && !first)
        printf ("]\n");
      disk_close (top);
      return cli_fail ();
    }
    if (have && e.type == cur.type && e.depth == cur.depth)
      cur.length += e.length;
    else {
      if (have) {
        map_print (&cur, json, first);
        first = false;
      }
      cur = e;
      have = true;
    }
    offset += e.length;
  }
  if (have) {
    map_print (&cur, json, first);
    first = false;
  }
  if (json)
    printf ("%s]\n", first ? "[" : "");
  disk_close (top);
  return 0;
}
