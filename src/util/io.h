/* io.h: whole-buffer pread/pwrite that retry on EINTR and short transfers.
 *
 * A read that hits end of file is an error ("unexpected end of file"), since
 * every caller knows how many bytes must be there.  `what` names the object
 * in the message (usually the file name).
 */
#ifndef FERRY_UTIL_IO_H
#define FERRY_UTIL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int io_pread_full (int fd, void *buf, size_t count, uint64_t offset,
                   const char *what);
int io_pwrite_full (int fd, const void *buf, size_t count, uint64_t offset,
                    const char *what);
/* Size of an open file, or -1 with the error set. */
int64_t io_file_size (int fd, const char *what);

/* Read a whole regular file of at most max bytes into *text (malloc'd,
 * NUL-terminated; its length in *len).  0, -1 with the error set ("what:
 * ..."), or 1 when it does not exist and missing_ok.  Opened with
 * O_NONBLOCK: a FIFO must not hang the reader (it is refused as not a
 * regular file). */
int io_read_text_file (const char *path, const char *what, size_t max,
                       bool missing_ok, char **text, size_t *len);

#endif
