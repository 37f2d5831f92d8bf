/* disk.c: driver registry, probing, backing-chain resolution and the
 * chain-aware read and block status.  See disk.h for the driver contract.
 *
 * Invariants: a chain never holds the same file twice (checked by device and
 * inode) and is at most DISK_MAX_CHAIN layers deep; only the top layer is
 * ever opened for writing.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/log.h"

extern const struct disk_driver disk_driver_raw;
extern const struct disk_driver disk_driver_qcow2;
extern const struct disk_driver disk_driver_vmdk;
extern const struct disk_driver disk_driver_vhd;
extern const struct disk_driver disk_driver_vhdx;

/* raw matches anything weakly, so it goes last. */
const struct disk_driver *const disk_drivers[] = {
  &disk_driver_qcow2,
  &disk_driver_vmdk,
  &disk_driver_vhdx,
  &disk_driver_vhd,
  &disk_driver_raw,
  NULL,
};

const struct disk_driver *
disk_driver_find (const char *name)
{
  for (size_t i = 0; disk_drivers[i]; i++)
    if (strcmp (disk_drivers[i]->name, name) == 0)
      return disk_drivers[i];
  return NULL;
}

static const struct disk_driver *
disk_probe (struct disk *disk)
{
  uint8_t head[DISK_PROBE_SIZE], tail[DISK_PROBE_TAIL_SIZE];
  const struct disk_driver *best = NULL;
  int best_score = 0;
  size_t head_len, tail_len = 0;
  int64_t size;

  size = disk_file_size (disk);
  if (size == -1)
    return NULL;
  head_len = min_u64 (sizeof head, (uint64_t) size);
  if (disk_file_pread (disk, head, head_len, 0) == -1)
    return NULL;
  if (size >= DISK_PROBE_TAIL_SIZE) {
    tail_len = sizeof tail;
    if (disk_file_pread (disk, tail, tail_len,
                         (uint64_t) size - DISK_PROBE_TAIL_SIZE) == -1)
      return NULL;
  }
  for (size_t i = 0; disk_drivers[i]; i++) {
    const struct disk_driver *d = disk_drivers[i];
    int score = d->probe (head, head_len, size);
    if (d->probe_tail && tail_len > 0) {
      int tail_score = d->probe_tail (tail, tail_len, size);
      if (tail_score > score)
        score = tail_score;
    }
    if (score > best_score) {
      best_score = score;
      best = d;
    }
  }
  if (best == NULL)
    error_set ("%s: unknown image format", disk->path);
  return best;
}

/* The window of the file seen by the driver: see disk.h.  Everything a
 * driver reads from its main file comes through here, so this is where
 * fault injection (EIO, short reads, ENOSPC) is to be added. */
int
disk_file_pread (struct disk *disk, void *buf, size_t count, uint64_t offset)
{
  uint64_t end, at;

  if (disk_is_window (disk)) {
    if (checked_add (offset, count, &end) || end > disk->file_length) {
      error_set ("%s: unexpected end of file at offset %" PRIu64
                 " (reading %zu bytes of an image of %" PRIu64 " bytes at "
                 "offset %" PRIu64 " of the file)", disk->path, offset, count,
                 disk->file_length, disk->file_base);
      return -1;
    }
  }
  if (checked_add (disk->file_base, offset, &at) || at > INT64_MAX) {
    error_set ("%s: read at offset %" PRIu64 " is out of range", disk->path,
               offset);
    return -1;
  }
  return io_pread_full (disk->fd, buf, count, at, disk->path);
}

int64_t
disk_file_size (struct disk *disk)
{
  struct stat st;
  off_t end;

  if (disk_is_window (disk))
    return (int64_t) disk->file_length;
  if (fstat (disk->fd, &st) == -1) {
    error_set_errno (errno, "%s: stat", disk->path);
    return -1;
  }
  if (!S_ISBLK (st.st_mode))
    return st.st_size;
  end = lseek (disk->fd, 0, SEEK_END);
  if (end == -1) {
    error_set_errno (errno, "%s: finding the device size", disk->path);
    return -1;
  }
  return end;
}

int
disk_file_extent (struct disk *disk, uint64_t offset, uint64_t length,
                  struct extent *out)
{
  uint64_t base = disk->file_base;
  uint64_t limit = disk_is_window (disk) ? disk->file_length : INT64_MAX;
  uint64_t end, data_at, hole_at;
  off_t data, hole;

  out->offset = offset;
  if (length == 0 || checked_add (offset, length, &end)) {
    error_set ("%s: block status of a bad range (offset %" PRIu64
               ", length %" PRIu64 ")", disk->path, offset, length);
    return -1;
  }
  /* Past the end of the window (or file) the image reads as zeros. */
  if (offset >= limit) {
    out->type = EXTENT_ZERO;
    out->length = length;
    return 0;
  }
  data = lseek (disk->fd, (off_t) (base + offset), SEEK_DATA);
  if (data == -1 && errno == ENXIO) {
    /* only a hole to the end of the file */
    out->type = EXTENT_ZERO;
    out->length = length;
    return 0;
  }
  if (data == -1) {
    /* No SEEK_DATA support on this file system: all data. */
    if (errno == EINVAL || errno == ENOTSUP || errno == EOPNOTSUPP) {
      out->type = EXTENT_DATA;
      out->length = min_u64 (end, limit) - offset;
      return 0;
    }
    error_set_errno (errno, "%s: %s: SEEK_DATA", disk->driver->name,
                     disk->path);
    return -1;
  }
  data_at = (uint64_t) data >= base ? (uint64_t) data - base : 0;
  if (data_at > offset) {
    /* A hole; beyond the window (data in the next archive member) the
     * image reads as zeros too. */
    out->type = EXTENT_ZERO;
    out->length = min_u64 (data_at, end) - offset;
    return 0;
  }
  hole = lseek (disk->fd, (off_t) (base + offset), SEEK_HOLE);
  if (hole == -1) {
    error_set_errno (errno, "%s: %s: SEEK_HOLE", disk->driver->name,
                     disk->path);
    return -1;
  }
  hole_at = (uint64_t) hole >= base ? (uint64_t) hole - base : 0;
  out->type = EXTENT_DATA;
  if (hole_at > offset)
    out->length = min_u64 (min_u64 (hole_at, end), limit) - offset;
  else                          /* the file changed under us */
    out->length = min_u64 (end, limit) - offset;
  return 0;
}

char *
disk_resolve_path (const struct disk *disk, const char *name)
{
  CLEANUP_FREE char *copy = NULL;
  char *result;
  const char *dir;

  if (name[0] == '/' || strchr (disk->path, '/') == NULL) {
    result = strdup (name);
  }
  else {
    copy = strdup (disk->path);
    if (copy == NULL)
      goto nomem;
    dir = dirname (copy);
    if (asprintf (&result, "%s/%s", dir, name) == -1)
      result = NULL;
  }
  if (result == NULL)
    goto nomem;
  return result;

nomem:
  error_set_errno (errno, "%s: resolving \"%s\"", disk->path, name);
  return NULL;
}

int
disk_check_range (const struct disk *disk, uint64_t offset, uint64_t count)
{
  uint64_t end;

  if (checked_add (offset, count, &end) || end > disk->size) {
    error_set ("%s: request at offset %" PRIu64 " length %" PRIu64
               " is past the end of the disk (size %" PRIu64 ")",
               disk->path, offset, count, disk->size);
    return -1;
  }
  return 0;
}

static void
disk_close_layer (struct disk *disk)
{
  if (disk->driver && disk->priv)
    disk->driver->close (disk);
  if (disk->fd >= 0)
    close (disk->fd);
  free (disk->path);
  free (disk->backing_path);
  free (disk->backing_format);
  free (disk);
}

void
disk_close (struct disk *top)
{
  while (top) {
    struct disk *next = top->backing;
    disk_close_layer (top);
    top = next;
  }
}

struct disk *
disk_new (const struct disk_driver *driver, const char *path)
{
  struct disk *disk;

  disk = calloc (1, sizeof *disk);
  if (disk == NULL) {
    error_set_errno (errno, "calloc");
    return NULL;
  }
  disk->driver = driver;
  disk->fd = -1;
  disk->write_align = 512;
  disk->path = strdup (path);
  if (disk->path == NULL) {
    error_set_errno (errno, "strdup");
    free (disk);
    return NULL;
  }
  return disk;
}

static struct disk *
disk_open_layer (const char *path, const char *format, bool writable,
                 unsigned depth, uint64_t base, uint64_t length)
{
  struct disk *disk;
  int64_t file_size;
  uint64_t end;

  disk = disk_new (NULL, path);
  if (disk == NULL)
    return NULL;
  disk->depth = depth;
  disk->writable = writable;
  disk->fd = open (path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (disk->fd == -1) {
    error_set_errno (errno, "%s: open", path);
    goto fail;
  }
  if (length != 0) {
    /* The window must lie inside the file as it is now. */
    file_size = disk_file_size (disk);
    if (file_size == -1)
      goto fail;
    if (checked_add (base, length, &end) || end > (uint64_t) file_size) {
      error_set ("%s: the image at offset %" PRIu64 " (%" PRIu64 " bytes) "
                 "runs past the end of the file (%" PRId64 " bytes)", path,
                 base, length, file_size);
      goto fail;
    }
    disk->file_base = base;
    disk->file_length = length;
  }
  if (format) {
    disk->driver = disk_driver_find (format);
    if (disk->driver == NULL) {
      error_set ("%s: unknown format \"%s\"", path, format);
      goto fail;
    }
  }
  else {
    disk->driver = disk_probe (disk);
    if (disk->driver == NULL)
      goto fail;
  }
  if (writable && disk->driver->pwrite == NULL) {
    error_set ("%s: the %s driver cannot write", path, disk->driver->name);
    goto fail;
  }
  if (disk->driver->open (disk) == -1) {
    disk->priv = NULL;
    goto fail;
  }
  if (disk_is_window (disk))
    log_debug ("opened %s (bytes %" PRIu64 "+%" PRIu64 ") as %s, size %"
               PRIu64, path, base, length, disk->driver->name, disk->size);
  else
    log_debug ("opened %s as %s, size %" PRIu64, path, disk->driver->name,
               disk->size);
  return disk;

fail:
  disk_close_layer (disk);
  return NULL;
}

struct disk *
disk_open (const char *path, const char *format, unsigned flags)
{
  struct stat seen[DISK_MAX_CHAIN];
  struct disk *top, *layer;
  unsigned depth = 0;

  top = disk_open_layer (path, format, flags & DISK_OPEN_WRITE, 0, 0, 0);
  if (top == NULL)
    return NULL;

  for (layer = top; layer; layer = layer->backing) {
    CLEANUP_FREE char *backing = NULL;

    if (fstat (layer->fd, &seen[depth]) == -1) {
      error_set_errno (errno, "%s: stat", layer->path);
      goto fail;
    }
    for (unsigned i = 0; i < depth; i++) {
      if (seen[i].st_dev == seen[depth].st_dev
          && seen[i].st_ino == seen[depth].st_ino) {
        error_set ("%s: backing chain loop: %s appears twice", path,
                   layer->path);
        goto fail;
      }
    }
    if (layer->backing_path == NULL || (flags & DISK_OPEN_NO_BACKING))
      break;
    if (depth + 1 >= DISK_MAX_CHAIN) {
      error_set ("%s: backing chain deeper than %d layers (a loop?)", path,
                 DISK_MAX_CHAIN);
      goto fail;
    }
    backing = disk_resolve_path (layer, layer->backing_path);
    if (backing == NULL)
      goto fail;
    layer->backing = disk_open_layer (backing, layer->backing_format, false,
                                      depth + 1, 0, 0);
    if (layer->backing == NULL) {
      error_prefix ("%s: backing file", layer->path);
      goto fail;
    }
    if (layer->driver->check_backing
        && layer->driver->check_backing (layer, layer->backing) == -1)
      goto fail;
    depth++;
  }
  return top;

fail:
  disk_close (top);
  return NULL;
}

struct disk *
disk_open_window (const char *path, uint64_t base, uint64_t length,
                  const char *format, unsigned flags)
{
  struct disk *disk;

  if (flags & DISK_OPEN_WRITE) {
    error_set ("%s: an image inside another file is opened read-only", path);
    return NULL;
  }
  if (length == 0 && base != 0) {
    error_set ("%s: empty image at offset %" PRIu64, path, base);
    return NULL;
  }
  disk = disk_open_layer (path, format, false, 0, base, length);
  if (disk == NULL)
    return NULL;
  /* Following a reference out of an archive would read a file that the
   * archive's author chose; and without it the holes would read as zeros,
   * silently wrong.  Neither is acceptable. */
  if (disk->backing_path) {
    error_set ("%s: the %s image at offset %" PRIu64 " has a backing file "
               "\"%s\"; an image read in place must stand alone", path,
               disk->driver->name, base, disk->backing_path);
    disk_close (disk);
    return NULL;
  }
  return disk;
}

int
disk_create (const char *format, const char *path,
             const struct disk_create_options *opts)
{
  const struct disk_driver *driver = disk_driver_find (format);

  if (driver == NULL) {
    error_set ("unknown format \"%s\"", format);
    return -1;
  }
  if (driver->create == NULL) {
    error_set ("%s: ferry cannot create %s images", path, format);
    return -1;
  }
  return driver->create (path, opts);
}

struct disk *
disk_layer (struct disk *top, unsigned depth)
{
  while (top && top->depth < depth)
    top = top->backing;
  return top && top->depth == depth ? top : NULL;
}

int
disk_block_status (struct disk *top, uint64_t offset, uint64_t length,
                   struct extent *out)
{
  struct disk *layer = top;

  if (length == 0 || disk_check_range (top, offset, length) == -1) {
    if (length == 0)
      error_set ("%s: block status of an empty range", top->path);
    return -1;
  }
  for (;;) {
    if (layer->driver->block_status (layer, offset, length, out) == -1)
      return -1;
    if (out->offset != offset || out->length == 0 || out->length > length) {
      error_set ("%s: %s driver returned a bad extent", layer->path,
                 layer->driver->name);
      return -1;
    }
    out->depth = layer->depth;
    if (out->type != EXTENT_UNALLOCATED || layer->backing == NULL)
      return 0;
    /* Unallocated here: ask the layer below about the same range.  Past
     * the end of a shorter backing file the guest reads zeros. */
    length = out->length;
    if (offset >= layer->backing->size)
      return 0;
    length = min_u64 (length, layer->backing->size - offset);
    layer = layer->backing;
  }
}

int
disk_pread_layer (struct disk *top, unsigned depth, void *buf, size_t count,
                  uint64_t offset)
{
  struct disk *layer = disk_layer (top, depth);

  if (layer == NULL) {
    error_set ("%s: no layer at depth %u", top->path, depth);
    return -1;
  }
  if (disk_check_range (layer, offset, count) == -1)
    return -1;
  return layer->driver->pread (layer, buf, count, offset);
}

int
disk_pread (struct disk *top, void *buf, size_t count, uint64_t offset)
{
  char *p = buf;
  struct extent e;

  if (disk_check_range (top, offset, count) == -1)
    return -1;
  while (count > 0) {
    if (disk_block_status (top, offset, count, &e) == -1)
      return -1;
    if (e.type == EXTENT_DATA) {
      if (disk_pread_layer (top, e.depth, p, e.length, offset) == -1)
        return -1;
    }
    else
      memset (p, 0, e.length);
    p += e.length;
    offset += e.length;
    count -= e.length;
  }
  return 0;
}

static int
disk_check_writable (struct disk *top, uint64_t offset, uint64_t count)
{
  if (!top->writable) {
    error_set ("%s: not opened for writing", top->path);
    return -1;
  }
  return disk_check_range (top, offset, count);
}

int
disk_pwrite (struct disk *top, const void *buf, size_t count, uint64_t offset)
{
  if (disk_check_writable (top, offset, count) == -1)
    return -1;
  return top->driver->pwrite (top, buf, count, offset);
}

int
disk_zero (struct disk *top, uint64_t offset, uint64_t length)
{
  if (disk_check_writable (top, offset, length) == -1)
    return -1;
  if (top->driver->zero == NULL) {
    error_set ("%s: the %s driver cannot write zeros", top->path,
               top->driver->name);
    return -1;
  }
  return top->driver->zero (top, offset, length);
}

int
disk_flush (struct disk *top)
{
  if (!top->writable || top->driver->flush == NULL)
    return 0;
  return top->driver->flush (top);
}

int64_t
disk_allocated_bytes (struct disk *layer)
{
  struct stat st;

  /* A window is one stretch of a file that holds other things too. */
  if (disk_is_window (layer))
    return (int64_t) layer->file_length;
  if (layer->driver->allocated_bytes)
    return layer->driver->allocated_bytes (layer);
  if (fstat (layer->fd, &st) == -1) {
    error_set_errno (errno, "%s: stat", layer->path);
    return -1;
  }
  return (int64_t) st.st_blocks * 512;
}
