/* test_fault_crash_drops_unsynced_writes: the fault layer's crash model
 * itself.  A crash returns a file to what it held at its last successful
 * sync: overwrites, an extension past the end, a punched hole and both
 * truncations are undone, through whichever descriptor (closed ones
 * included) made them; synced writes stay.  A failed sync loses the writes
 * it was to make durable at once, and a later successful sync does not
 * bring them back.  The expected bytes are written out here by hand. */
#include <string.h>

#include "faulttest.h"
#include "util/io.h"

static void
expect_file (const char *name, uint64_t size, const char *what,
             const uint8_t *want)
{
  size_t len;
  uint8_t *got = test_read_file (name, &len);

  if (len != size)
    FAIL ("%s: the file has %zu bytes, expected %llu", what, len,
          (unsigned long long) size);
  for (size_t i = 0; i < len; i++)
    if (got[i] != want[i])
      FAIL ("%s: byte %zu is 0x%02x, expected 0x%02x", what, i, got[i],
            want[i]);
  free (got);
}

int
main (void)
{
  uint8_t a[8192], b[4096], c[4096], d[1000], want[8192];
  char *path;
  int fd, fd2, fd3;

  test_init (false);
  memset (a, 'A', sizeof a);
  memset (b, 'B', sizeof b);
  memset (c, 'C', sizeof c);
  memset (d, 'D', sizeof d);
  test_write_file ("f", a, sizeof a);   /* durable: before tracking */
  path = test_path ("f");
  fd = open (path, O_RDWR | O_CLOEXEC);
  fd2 = open (path, O_RDWR | O_CLOEXEC);
  CHECK (fd >= 0 && fd2 >= 0);

  fault_enable ();
  CHECK (io_pwrite_full (fd, b, sizeof b, 0, "f") == 0);
  CHECK (io_fdatasync (fd2, "f") == 0);            /* the same file */
  CHECK (io_pwrite_full (fd, c, sizeof c, 2048, "f") == 0);
  CHECK (io_pwrite_full (fd2, d, sizeof d, 10000, "f") == 0);  /* extends */
  CHECK (io_punch_hole (fd, 4096, 2048, "f") == 0);
  CHECK (io_ftruncate (fd, 3000, "f") == 0);
  CHECK (io_ftruncate (fd, 20000, "f") == 0);
  fd3 = open (path, O_RDWR | O_CLOEXEC);
  CHECK (fd3 >= 0);
  CHECK (io_pwrite_full (fd3, d, sizeof d, 100, "f") == 0);
  close (fd3);                                     /* closing saves nothing */
  CHECK (fault_count (FAULT_PWRITE) == 4);
  CHECK (fault_count (FAULT_SYNC) == 1);
  CHECK (fault_count (FAULT_TRUNCATE) == 2);
  CHECK (fault_count (FAULT_PUNCH) == 1);
  CHECK (fault_count (FAULT_NR_OPS) == 8);
  fault_crash ();
  memset (want, 'B', 4096);
  memset (want + 4096, 'A', 4096);
  expect_file ("f", 8192, "after a crash", want);

  /* A failed sync loses the unsynced writes now; the next sync succeeds
   * without them; a crash after it changes nothing. */
  CHECK (io_pwrite_full (fd, d, 100, 0, "f") == 0);
  fault_fail (FAULT_SYNC, fault_count (FAULT_SYNC) + 1, 1, EIO);
  CHECK (io_fdatasync (fd, "f") == -1);
  CHECK (strstr (error_message (), "f: fdatasync: Input/output error"));
  expect_file ("f", 8192, "after a failed sync", want);
  CHECK (io_fdatasync (fd, "f") == 0);
  fault_crash ();
  expect_file ("f", 8192, "after a failed sync and a crash", want);

  /* Synced writes survive a crash. */
  CHECK (io_pwrite_full (fd, d, sizeof d, 8192, "f") == 0);
  CHECK (io_fdatasync (fd, "f") == 0);
  fault_crash ();
  CHECK (test_file_size ("f") == 9192);

  fault_disable ();
  close (fd);
  close (fd2);
  free (path);
  return 0;
}
