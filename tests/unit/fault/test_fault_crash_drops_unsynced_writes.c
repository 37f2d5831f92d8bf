/* test_fault_crash_drops_unsynced_writes: the fault layer's crash model
 * itself.  A crash returns a file to what it held at its last successful
 * sync: overwrites, an extension past the end, a punched hole and both
 * truncations are undone, through whichever descriptor (closed ones
 * included) made them; synced writes stay.  A failed sync loses the writes
 * it was to make durable at once, and a later successful sync does not
 * bring them back.  A crash that keeps some writes keeps, page by page,
 * either the latest or the durable bytes, and one of the two sizes; over a
 * few seeds, both.  The expected bytes are written out here by hand. */
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

/* 16 KiB of 'A' durable; pages 0-3 overwritten with 'B', a fifth page of
 * 'C' appended, then a crash keeping some of it. */
static void
crash_keeping_some (uint64_t seed, unsigned *kept, unsigned *lost)
{
  uint8_t a[16384], b[16384], c[4096];
  size_t len;
  uint8_t *got;
  char *path = test_path ("g");
  int fd;

  memset (a, 'A', sizeof a);
  memset (b, 'B', sizeof b);
  memset (c, 'C', sizeof c);
  test_write_file ("g", a, sizeof a);
  fault_enable ();
  fault_crash_keeps_some (seed);
  fd = open (path, O_RDWR | O_CLOEXEC);
  CHECK (fd >= 0);
  CHECK (io_pwrite_full (fd, b, sizeof b, 0, "g") == 0);
  CHECK (io_pwrite_full (fd, c, sizeof c, sizeof b, "g") == 0);
  fault_crash ();
  fault_disable ();
  close (fd);
  got = test_read_file ("g", &len);
  CHECK (len == 16384 || len == 20480);
  for (size_t p = 0; p < len / 4096; p++) {
    uint8_t latest = p < 4 ? 'B' : 'C', durable = p < 4 ? 'A' : 0;
    uint8_t first = got[p * 4096];
    for (size_t i = 1; i < 4096; i++)
      if (got[p * 4096 + i] != first)
        FAIL ("seed %llu: page %zu is torn", (unsigned long long) seed, p);
    if (first == latest)
      ++*kept;
    else if (first == durable)
      ++*lost;
    else
      FAIL ("seed %llu: page %zu holds 0x%02x", (unsigned long long) seed,
            p, first);
  }
  free (got);
  free (path);
}

int
main (void)
{
  unsigned kept = 0, lost = 0;
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

  for (uint64_t seed = 1; seed <= 8; seed++)
    crash_keeping_some (seed, &kept, &lost);
  CHECK (kept > 0 && lost > 0);
  return 0;
}
