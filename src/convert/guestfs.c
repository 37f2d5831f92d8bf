/* guestfs.c: the libguestfs appliance that reads and writes a guest.
 *
 * One handle per inspection or adaptation, its drives added in the
 * guest's disk order (so that the guest's /dev/sdb is the appliance's
 * /dev/sdb).  The backend and its settings come from the environment
 * (LIBGUESTFS_BACKEND, LIBGUESTFS_BACKEND_SETTINGS), as libguestfs reads
 * them.  Errors are never printed by libguestfs: they become ferry's
 * error, on one line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert_internal.h"
#include "util/error.h"
#include "util/log.h"

void
convert_strings_free (char **list)
{
  if (list == NULL)
    return;
  for (char **p = list; *p; p++)
    free (*p);
  free (list);
}

void
convert_guestfs_error_line (guestfs_h *g, char *line)
{
  const char *msg = g ? guestfs_last_error (g) : NULL;
  size_t n = 0;

  /* A command's stderr comes back as several lines: keep them on one. */
  for (const char *p = msg ? msg : "unknown error";
       *p && n + 3 < ERROR_MESSAGE_MAX;
       p++) {
    if (*p == '\n') {
      if (p[1] != '\0' && n > 0) {
        line[n++] = ';';
        line[n++] = ' ';
      }
    }
    else if (*p != '\r')
      line[n++] = *p;
  }
  line[n] = '\0';
}

int
convert_guestfs_error (guestfs_h *g, const char *what)
{
  char line[ERROR_MESSAGE_MAX];

  convert_guestfs_error_line (g, line);
  error_set ("convert: %s: %s", what, line);
  return -1;
}

guestfs_h *
convert_guestfs_open (const struct convert_disk *disks, size_t n,
                      bool readonly)
{
  guestfs_h *g;

  if (n == 0) {
    error_set ("convert: no disk given");
    return NULL;
  }
  g = guestfs_create ();
  if (g == NULL) {
    error_set_errno (errno, "convert: cannot create a libguestfs handle");
    return NULL;
  }
  guestfs_set_error_handler (g, NULL, NULL);
  if (log_get_level () >= LOG_DEBUG)
    guestfs_set_trace (g, 1);
  for (size_t i = 0; i < n; i++) {
    int r;
    if (disks[i].format)
      r = guestfs_add_drive_opts (g, disks[i].path,
                                  GUESTFS_ADD_DRIVE_OPTS_READONLY, readonly,
                                  GUESTFS_ADD_DRIVE_OPTS_FORMAT,
                                  disks[i].format, -1);
    else
      r = guestfs_add_drive_opts (g, disks[i].path,
                                  GUESTFS_ADD_DRIVE_OPTS_READONLY, readonly,
                                  -1);
    if (r == -1) {
      convert_guestfs_error (g, disks[i].path);
      guestfs_close (g);
      return NULL;
    }
  }
  log_debug ("convert: starting the libguestfs appliance on %zu disk(s)", n);
  if (guestfs_launch (g) == -1) {
    convert_guestfs_error (g, "starting the libguestfs appliance");
    guestfs_close (g);
    return NULL;
  }
  return g;
}

int
convert_guestfs_close (guestfs_h *g)
{
  int r = 0;

  if (g == NULL)
    return 0;
  /* Unmount and sync, and see it fail, before the handle goes. */
  if (guestfs_umount_all (g) == -1 || guestfs_shutdown (g) == -1)
    r = convert_guestfs_error (g, "closing the disks");
  guestfs_close (g);
  return r;
}
