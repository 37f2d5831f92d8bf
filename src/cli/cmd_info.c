/* cmd_info.c: `ferry info [--json] [-f FMT] IMAGE`. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "disk/disk.h"
#include "util/error.h"
#include "util/json.h"
#include "util/progress.h"

static void
info_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry info [--json] [-f FORMAT] IMAGE\n"
           "\n"
           "Show an image's format, virtual size, allocated bytes, its backing\n"
           "chain (the file and format of every layer) and the format's own\n"
           "fields.  The format is found from the content unless -f is given.\n"
           "\n"
           "  -f, --format FORMAT  the top layer's format (raw, qcow2, vmdk)\n"
           "      --json           machine-readable output\n"
           "  -h, --help           this help\n");
}

static json_t *
info_layer_json (struct disk *layer)
{
  json_t *obj = json_object (), *specific = json_object ();
  int64_t allocated = disk_allocated_bytes (layer);

  if (obj == NULL || specific == NULL || allocated == -1)
    goto fail;
  if (json_set_string (obj, "filename", layer->path) == -1
      || json_set_string (obj, "format", layer->driver->name) == -1
      || json_set_u64 (obj, "depth", layer->depth) == -1
      || json_set_u64 (obj, "virtual-size", layer->size) == -1
      || json_set_u64 (obj, "actual-size", allocated) == -1)
    goto fail;
  if (layer->backing_path
      && (json_set_string (obj, "backing-filename", layer->backing_path) == -1
          || (layer->backing_format
              && json_set_string (obj, "backing-format",
                                  layer->backing_format) == -1)))
    goto fail;
  if (layer->driver->info && layer->driver->info (layer, specific) == -1)
    goto fail;
  if (json_set_new (obj, "format-specific", specific) == -1) {
    specific = NULL;
    goto fail;
  }
  return obj;

fail:
  json_decref (specific);
  json_decref (obj);
  if (error_message ()[0] == '\0')
    error_set ("info: out of memory");
  return NULL;
}

static void
info_print_value (const char *indent, const char *key, json_t *value)
{
  if (json_is_object (value)) {
    const char *k;
    json_t *v;
    char deeper[64];
    printf ("%s%s:\n", indent, key);
    snprintf (deeper, sizeof deeper, "%s  ", indent);
    json_object_foreach (value, k, v)
      info_print_value (deeper, k, v);
  }
  else if (json_is_array (value)) {
    size_t i;
    json_t *v;
    char name[32], deeper[64];
    printf ("%s%s:\n", indent, key);
    snprintf (deeper, sizeof deeper, "%s  ", indent);
    json_array_foreach (value, i, v) {
      snprintf (name, sizeof name, "[%zu]", i);
      info_print_value (deeper, name, v);
    }
  }
  else if (json_is_string (value))
    printf ("%s%s: %s\n", indent, key, json_string_value (value));
  else if (json_is_integer (value))
    printf ("%s%s: %" JSON_INTEGER_FORMAT "\n", indent, key,
            json_integer_value (value));
  else if (json_is_boolean (value))
    printf ("%s%s: %s\n", indent, key, json_is_true (value) ? "true" : "false");
  else if (json_is_null (value))
    printf ("%s%s: -\n", indent, key);
}

static void
info_print_human (struct disk *top, json_t *chain)
{
  char size_s[32], alloc_s[32];
  json_t *layer = json_array_get (chain, 0);
  size_t i;
  const char *k;
  json_t *v;

  printf ("image: %s\n", top->path);
  printf ("file format: %s\n", top->driver->name);
  printf ("virtual size: %s (%" PRIu64 " bytes)\n",
          progress_format_bytes (top->size, size_s, sizeof size_s), top->size);
  printf ("disk size: %s\n",
          progress_format_bytes (json_integer_value (json_object_get (layer, "actual-size")),
                                 alloc_s, sizeof alloc_s));
  if (json_array_size (chain) > 1) {
    printf ("backing chain:\n");
    json_array_foreach (chain, i, layer) {
      printf ("  %zu: %s (%s)\n", i,
              json_string_value (json_object_get (layer, "filename")),
              json_string_value (json_object_get (layer, "format")));
    }
  }
  layer = json_object_get (json_array_get (chain, 0), "format-specific");
  if (json_object_size (layer) > 0) {
    printf ("format specific information:\n");
    json_object_foreach (layer, k, v)
      info_print_value ("  ", k, v);
  }
}

int
cmd_info (int argc, char **argv)
{
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "json", no_argument, NULL, 'j' },
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  int json = 0, c, status = EXIT_ERROR;
  struct disk *top;
  json_t *root = NULL, *chain = NULL;

  while ((c = getopt_long (argc, argv, "+:hf:", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': info_usage (stdout); return 0;
    case 'j': json = 1; break;
    case 'f': format = optarg; break;
    default: return cli_option_error ("info", c, argv);
    }
  }
  if (argc - optind != 1) {
    cli_error ("info: expected one IMAGE");
    return cli_usage_error ("info");
  }

  top = disk_open (argv[optind], format, 0);
  if (top == NULL)
    return cli_fail ();

  chain = json_array ();
  if (chain == NULL) {
    error_set ("info: out of memory");
    goto fail;
  }
  for (struct disk *layer = top; layer; layer = layer->backing) {
    json_t *obj = info_layer_json (layer);
    if (obj == NULL || json_array_append_new (chain, obj) == -1)
      goto fail;
  }
  if (json) {
    root = json_deep_copy (json_array_get (chain, 0));
    if (root == NULL || json_set_new (root, "backing-chain", chain) == -1)
      goto fail;
    chain = NULL;
    if (json_print (stdout, root) == -1)
      goto fail;
  }
  else
    info_print_human (top, chain);
  status = 0;
  goto out;

fail:
  status = cli_fail ();
out:
  json_decref (chain);
  json_decref (root);
  disk_close (top);
  return status;
}
