/* raw.c: the raw format, a file whose bytes are the guest's bytes.
 *
 * Block status comes from SEEK_DATA/SEEK_HOLE (disk_file_extent): holes
 * read as zeros and are reported EXTENT_ZERO (a raw layer has no backing,
 * so nothing is ever "unallocated" below it).  Writes of zeros punch
 * holes, keeping output sparse.  raw matches any file, so its probe score
 * is the lowest.
 *
 * A guest sees whole 512-byte sectors: a file whose size is not a multiple
 * of 512 has a virtual size rounded up, and its tail reads as zeros (as in
 * QEMU, so that both agree on what the guest sees).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"

static int
raw_probe (const uint8_t *buf, size_t len, uint64_t file_size)
{
  (void) buf;
  (void) len;
  (void) file_size;
  return 1;
}

static int
raw_open (struct disk *disk)
{
  int64_t size = disk_file_size (disk);

  if (size == -1)
    return -1;
  disk->size = round_up (size, 512);
  disk->priv = malloc (sizeof (uint64_t));
  if (disk->priv == NULL) {
    error_set_errno (errno, "raw: %s: malloc", disk->path);
    return -1;
  }
  *(uint64_t *) disk->priv = size;   /* the file never shrinks under us */
  return 0;
}

static void
raw_close (struct disk *disk)
{
  free (disk->priv);
}

static int
raw_pread (struct disk *disk, void *buf, size_t count, uint64_t offset)
{
  int64_t file_size;
  size_t in_file;

  /* Only the partial last sector needs the file's current size. */
  if (offset + count <= *(uint64_t *) disk->priv)
    return disk_file_pread (disk, buf, count, offset);
  file_size = disk_file_size (disk);
  if (file_size == -1)
    return -1;
  /* the partial last sector reads as zeros past the end of the file */
  in_file = (uint64_t) file_size > offset
              ? min_u64 (count, (uint64_t) file_size - offset) : 0;
  memset ((char *) buf + in_file, 0, count - in_file);
  return disk_file_pread (disk, buf, in_file, offset);
}

/* Holes (SEEK_HOLE, inside the window when the image is one) read as
 * zeros. */
static int
raw_block_status (struct disk *disk, uint64_t offset, uint64_t length,
                  struct extent *out)
{
  return disk_file_extent (disk, offset, length, out);
}

static int
raw_pwrite (struct disk *disk, const void *buf, size_t count, uint64_t offset)
{
  return io_pwrite_full (disk->fd, buf, count, offset, disk->path);
}

static int
raw_zero (struct disk *disk, uint64_t offset, uint64_t length)
{
  static const char zeros[65536];
  int r = io_punch_hole (disk->fd, offset, length, disk->path);

  if (r != 1) {
    if (r == -1)
      error_prefix ("raw");
    return r;
  }
  /* No holes on this file system: write zeros. */
  while (length > 0) {
    size_t n = min_u64 (length, sizeof zeros);
    if (io_pwrite_full (disk->fd, zeros, n, offset, disk->path) == -1)
      return -1;
    offset += n;
    length -= n;
  }
  return 0;
}

static int
raw_flush (struct disk *disk)
{
  if (io_fdatasync (disk->fd, disk->path) == -1) {
    error_prefix ("raw");
    return -1;
  }
  return 0;
}

static int
raw_create (const char *path, const struct disk_create_options *opts)
{
  CLEANUP_CLOSE int fd = -1;

  if (opts->backing_file) {
    error_set ("raw: %s: raw images cannot have a backing file", path);
    return -1;
  }
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd == -1) {
    error_set_errno (errno, "raw: %s: create", path);
    return -1;
  }
  /* Durable before anyone relies on it: a plan records the target as
   * created once this returns, and a crash must not leave it shorter. */
  if (io_ftruncate (fd, opts->size, path) == -1
      || io_fdatasync (fd, path) == -1) {
    error_prefix ("raw");
    return -1;
  }
  return 0;
}

const struct disk_driver disk_driver_raw = {
  .name = "raw",
  .probe = raw_probe,
  .open = raw_open,
  .close = raw_close,
  .pread = raw_pread,
  .block_status = raw_block_status,
  .pwrite = raw_pwrite,
  .zero = raw_zero,
  .flush = raw_flush,
  .create = raw_create,
};
