/* convert.c: convert_adapt(), the entry point of guest adaptation (see
 * convert.h).
 *
 * Opens the guest's disks writable in one appliance, inspects and mounts
 * them, runs the Linux steps (linux.c) and unmounts and syncs.  It must
 * never return success for a guest that was not fully adapted, nor a
 * report without the step that failed.
 */
#include <stdlib.h>

#include "convert/convert_internal.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"

int
convert_adapt (const struct convert_disk *disks, size_t n,
               const struct convert_nic *nics, size_t nr_nics,
               const struct convert_options *options, json_t **report)
{
  static const struct convert_options defaults = { 0 };
  CLEANUP_FREE char *root = NULL;
  json_t *os, *rep;
  guestfs_h *g;

  *report = rep = json_object ();
  if (rep == NULL || json_set_new (rep, "os", json_null ()) == -1
      || json_set_new (rep, "steps", json_array ()) == -1
      || json_set_new (rep, "changes", json_array ()) == -1) {
    error_set ("convert: out of memory");
    return -1;
  }
  g = convert_guestfs_open (disks, n, false);
  if (g == NULL)
    return -1;
  os = convert_inspect_mounted (g, false, &root);
  if (os == NULL || json_set_new (rep, "os", os) == -1) {
    guestfs_close (g);
    return -1;
  }
  if (convert_linux_adapt (g, os, nics, nr_nics,
                           options ? options : &defaults, rep) == -1) {
    /* The caller throws these disks away: no need to sync them. */
    guestfs_close (g);
    return -1;
  }
  return convert_guestfs_close (g);
}
