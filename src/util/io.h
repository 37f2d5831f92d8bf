/* io.h: whole-buffer pread/pwrite that retry on EINTR and short transfers,
 * and the other calls that change a file (sync, size, holes).
 *
 * A read that hits end of file is an error ("unexpected end of file"), since
 * every caller knows how many bytes must be there.  `what` names the object
 * in the message (usually the file name).
 *
 * Every write-side call a disk driver makes to an image goes through here
 * (never through pwrite, fdatasync, ftruncate or fallocate directly): this
 * is the seam where tests inject faults and crashes (util/fault.h).
 */
#ifndef FERRY_UTIL_IO_H
#define FERRY_UTIL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int io_pread_full (int fd, void *buf, size_t count, uint64_t offset,
                   const char *what);
/* A write that makes no progress (pwrite returns 0) is an error, not a
 * reason to spin. */
int io_pwrite_full (int fd, const void *buf, size_t count, uint64_t offset,
                    const char *what);
/* fdatasync: every write to the file before it is durable. */
int io_fdatasync (int fd, const char *what);
int io_ftruncate (int fd, uint64_t size, const char *what);
/* Deallocate [offset, offset + length) keeping the size (it reads as
 * zeros).  0, -1 with the error set, or 1 when the file system cannot
 * (the caller writes zeros instead). */
int io_punch_hole (int fd, uint64_t offset, uint64_t length,
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
