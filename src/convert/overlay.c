/* overlay.c: the transactional overlay of guest adaptation (overlay.h).
 *
 * Everything goes through ferry's own image layer (disk/disk.h): the
 * overlay is made by the qcow2 driver's create, read with block status of
 * its own layer only (opened without its backing file, so that every
 * extent it reports is one the overlay holds), and written into the base
 * through the base's driver.
 *
 * Why a repeated commit is safe: the overlay is opened read-only and never
 * changes while it is committed, so every commit walks the same extents
 * and writes the same bytes (or zeros) to the same guest offsets of the
 * base.  Writing a range twice with the same content leaves it as writing
 * it once; ranges the overlay does not hold are never written.  Whatever
 * prefix of a killed commit reached the base, the next commit overwrites
 * it with identical bytes and completes the rest.  The overlay is removed
 * only after the base's flush succeeded, and its removal is made durable,
 * so that a commit that did finish is not repeated later over a base the
 * guest has changed since.
 *
 * Must never: write to the base outside overlay_commit, or remove an
 * overlay before the base's flush succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert/overlay.h"
#include "disk/disk.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"

/* Bytes of overlay data moved per read/write while committing. */
#define OVERLAY_COMMIT_CHUNK (4u << 20)

static void
cleanup_disk_close (struct disk **d)
{
  if (*d)
    disk_close (*d);
}
#define CLEANUP_DISK __attribute__ ((cleanup (cleanup_disk_close)))

int
overlay_create (const char *base_path, const char *base_format,
                const char *overlay_path)
{
  CLEANUP_DISK struct disk *base = NULL;
  CLEANUP_FREE char *absolute = NULL;
  struct disk_create_options opts = { 0 };
  int fd;

  base = disk_open (base_path, base_format, 0);
  if (base == NULL) {
    error_prefix ("overlay: %s: opening the base", overlay_path);
    return -1;
  }
  /* A commit writes into the base: refuse now what it could not do. */
  if (base->driver->pwrite == NULL || base->driver->zero == NULL) {
    error_set ("overlay: %s: the base %s is %s, which ferry cannot write, "
               "so the overlay could never be committed", overlay_path,
               base_path, base->driver->name);
    return -1;
  }
  absolute = realpath (base_path, NULL);
  if (absolute == NULL) {
    error_set_errno (errno, "overlay: %s: resolving the base %s",
                     overlay_path, base_path);
    return -1;
  }
  /* Claim the name: an existing overlay may hold a commit still to be
   * finished. */
  fd = open (overlay_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd == -1) {
    if (errno == EEXIST)
      error_set ("overlay: %s: already exists (commit or discard it first)",
                 overlay_path);
    else
      error_set_errno (errno, "overlay: %s: create", overlay_path);
    return -1;
  }
  close (fd);

  opts.size = base->size;
  opts.backing_file = absolute;
  opts.backing_format = base->driver->name;
  if (disk_create ("qcow2", overlay_path, &opts) == -1) {
    unlink (overlay_path);
    error_prefix ("overlay");
    return -1;
  }
  return 0;
}

/* Make the removal of a name in dir durable. */
static int
overlay_sync_dir (const char *path)
{
  CLEANUP_FREE char *copy = strdup (path);
  CLEANUP_CLOSE int fd = -1;
  char *slash;
  const char *dir = ".";

  if (copy == NULL) {
    error_set_errno (errno, "overlay: %s: strdup", path);
    return -1;
  }
  slash = strrchr (copy, '/');
  if (slash == copy)
    dir = "/";
  else if (slash) {
    *slash = '\0';
    dir = copy;
  }
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd == -1 || fsync (fd) == -1) {
    error_set_errno (errno, "overlay: %s: syncing its directory %s", path,
                     dir);
    return -1;
  }
  return 0;
}

/* Copy every extent the overlay layer holds into base. */
static int
overlay_copy_extents (struct disk *overlay, struct disk *base)
{
  CLEANUP_FREE uint8_t *buf = malloc (OVERLAY_COMMIT_CHUNK);
  uint64_t offset = 0;

  if (buf == NULL) {
    error_set_errno (errno, "malloc");
    return -1;
  }
  while (offset < overlay->size) {
    struct extent e;

    if (disk_block_status (overlay, offset, overlay->size - offset, &e) == -1)
      return -1;
    if (e.type == EXTENT_ZERO && disk_zero (base, offset, e.length) == -1)
      return -1;
    for (uint64_t done = 0; e.type == EXTENT_DATA && done < e.length;) {
      size_t n = min_u64 (e.length - done, OVERLAY_COMMIT_CHUNK);

      if (disk_pread_layer (overlay, 0, buf, n, offset + done) == -1
          || disk_pwrite (base, buf, n, offset + done) == -1)
        return -1;
      done += n;
    }
    offset += e.length;
  }
  return 0;
}

int
overlay_commit (const char *overlay_path)
{
  CLEANUP_DISK struct disk *overlay = NULL;
  CLEANUP_DISK struct disk *base = NULL;
  CLEANUP_FREE char *base_path = NULL;

  /* Without its backing file: every extent reported is the overlay's. */
  overlay = disk_open (overlay_path, "qcow2", DISK_OPEN_NO_BACKING);
  if (overlay == NULL) {
    error_prefix ("overlay: commit");
    return -1;
  }
  if (overlay->backing_path == NULL) {
    error_set ("overlay: %s: has no backing file, so nothing to commit "
               "it into", overlay_path);
    return -1;
  }
  base_path = disk_resolve_path (overlay, overlay->backing_path);
  if (base_path == NULL)
    return -1;
  base = disk_open (base_path, overlay->backing_format, DISK_OPEN_WRITE);
  if (base == NULL) {
    error_prefix ("overlay: %s: opening its base for writing", overlay_path);
    return -1;
  }
  if (base->size != overlay->size) {
    error_set ("overlay: %s: its base %s is %" PRIu64 " bytes, the overlay "
               "%" PRIu64 " (the base changed since the overlay was made)",
               overlay_path, base_path, base->size, overlay->size);
    return -1;
  }
  if (overlay_copy_extents (overlay, base) == -1
      || disk_flush (base) == -1) {
    error_prefix ("overlay: %s: committing into %s", overlay_path,
                  base_path);
    return -1;
  }
  disk_close (steal_pointer (&base));
  /* The base holds every change durably: only now may the overlay go. */
  return overlay_discard (overlay_path);
}

int
overlay_discard (const char *overlay_path)
{
  if (unlink (overlay_path) == -1) {
    if (errno == ENOENT)
      return 0;
    error_set_errno (errno, "overlay: %s: remove", overlay_path);
    return -1;
  }
  return overlay_sync_dir (overlay_path);
}
