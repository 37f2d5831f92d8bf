/* io.h: whole-buffer pread/pwrite that retry on EINTR and short transfers.
 *
 * A read that hits end of file is an error ("unexpected end of file"), since
 * every caller knows how many bytes must be there.  `what` names the object
 * in the message (usually the file name).
 */
#ifndef FERRY_UTIL_IO_H
#define FERRY_UTIL_IO_H

#include <stddef.h>
#include <stdint.h>

int io_pread_full (int fd, void *buf, size_t count, uint64_t offset,
                   const char *what);
int io_pwrite_full (int fd, const void *buf, size_t count, uint64_t offset,
                    const char *what);
/* Size of an open file, or -1 with the error set. */
int64_t io_file_size (int fd, const char *what);

#endif
