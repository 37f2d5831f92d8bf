/* io.c: see io.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/fault.h"
#include "util/io.h"

int
io_pread_full (int fd, void *buf, size_t count, uint64_t offset,
               const char *what)
{
  char *p = buf;

  while (count > 0) {
    ssize_t r = pread (fd, p, count, (off_t) offset);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      error_set_errno (errno, "%s: read at offset %" PRIu64, what, offset);
      return -1;
    }
    if (r == 0) {
      error_set ("%s: unexpected end of file at offset %" PRIu64, what, offset);
      return -1;
    }
    p += r;
    count -= r;
    offset += r;
  }
  return 0;
}

int
io_pwrite_full (int fd, const void *buf, size_t count, uint64_t offset,
                const char *what)
{
  const char *p = buf;

  while (count > 0) {
    ssize_t r = fault_active ? fault_pwrite (fd, p, count, (off_t) offset)
                             : pwrite (fd, p, count, (off_t) offset);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      error_set_errno (errno, "%s: write at offset %" PRIu64, what, offset);
      return -1;
    }
    if (r == 0) {
      error_set ("%s: write at offset %" PRIu64 " wrote nothing (%zu bytes "
                 "left)", what, offset, count);
      return -1;
    }
    p += r;
    count -= r;
    offset += r;
  }
  return 0;
}

int
io_fdatasync (int fd, const char *what)
{
  if ((fault_active ? fault_fdatasync (fd) : fdatasync (fd)) == -1) {
    error_set_errno (errno, "%s: fdatasync", what);
    return -1;
  }
  return 0;
}

int
io_ftruncate (int fd, uint64_t size, const char *what)
{
  if (size > INT64_MAX) {
    error_set ("%s: size %" PRIu64 " is out of range", what, size);
    return -1;
  }
  if ((fault_active ? fault_ftruncate (fd, (off_t) size)
                    : ftruncate (fd, (off_t) size)) == -1) {
    error_set_errno (errno, "%s: setting the size to %" PRIu64, what, size);
    return -1;
  }
  return 0;
}

int
io_punch_hole (int fd, uint64_t offset, uint64_t length, const char *what)
{
  int r = fault_active
    ? fault_punch_hole (fd, (off_t) offset, (off_t) length)
    : fallocate (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                 (off_t) offset, (off_t) length);

  if (r == 0)
    return 0;
  if (errno == EOPNOTSUPP)
    return 1;
  error_set_errno (errno, "%s: punching a hole of %" PRIu64 " bytes at "
                   "offset %" PRIu64, what, length, offset);
  return -1;
}

int64_t
io_file_size (int fd, const char *what)
{
  struct stat st;

  if (fstat (fd, &st) == -1) {
    error_set_errno (errno, "%s: stat", what);
    return -1;
  }
  return st.st_size;
}

int
io_read_text_file (const char *path, const char *what, size_t max,
                   bool missing_ok, char **text, size_t *len)
{
  CLEANUP_CLOSE int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  char *buf;

  if (fd == -1) {
    if (errno == ENOENT && missing_ok)
      return 1;
    error_set_errno (errno, "%s: open", what);
    return -1;
  }
  if (fstat (fd, &st) == -1) {
    error_set_errno (errno, "%s: fstat", what);
    return -1;
  }
  if (!S_ISREG (st.st_mode)) {
    error_set ("%s: not a regular file", what);
    return -1;
  }
  if ((uint64_t) st.st_size > max) {
    error_set ("%s: the file is %" PRIi64 " bytes, more than the %zu byte "
               "limit", what, (int64_t) st.st_size, max);
    return -1;
  }
  buf = malloc (st.st_size + 1);
  if (buf == NULL) {
    error_set_errno (errno, "%s: malloc", what);
    return -1;
  }
  if (st.st_size > 0 && io_pread_full (fd, buf, st.st_size, 0, what) == -1) {
    free (buf);
    return -1;
  }
  buf[st.st_size] = '\0';
  *text = buf;
  *len = st.st_size;
  return 0;
}
