/* io.c: see io.h. */
#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
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
    ssize_t r = pwrite (fd, p, count, (off_t) offset);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      error_set_errno (errno, "%s: write at offset %" PRIu64, what, offset);
      return -1;
    }
    p += r;
    count -= r;
    offset += r;
  }
  return 0;
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
