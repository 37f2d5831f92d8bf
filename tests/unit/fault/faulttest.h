/* faulttest.h: scaffolding of the fault-injection tests (util/fault.h).
 *
 * A sparse raw source made by the test (pattern data in every 64 MiB work
 * range of the mover, at offsets that do not fall on 64 KiB qcow2 cluster
 * boundaries, some across a work range boundary, and a run of written
 * zeros), a fresh target in the format under test, and a copy run in a
 * child process that the fault layer may crash: the ranges its checkpoint
 * callback is given come back to the parent through a pipe, as a store
 * would keep them.
 *
 * Long forms (more kill points, a larger image) run when the test is given
 * the argument --long (the `long` suite, `make test-long`).
 */
#ifndef FERRY_TESTS_FAULTTEST_H
#define FERRY_TESTS_FAULTTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "copy/copy.h"
#include "imagetest.h"
#include "plan/plan.h"
#include "util/fault.h"

#define FT_WORK (64ULL << 20)   /* the mover's work range */

/* Make the source: `ranges` work ranges, `chunks` pattern chunks in each. */
static inline void
ft_make_source (const char *name, unsigned ranges, unsigned chunks)
{
  char *path = test_path (name);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t max = 320 << 10;
  uint8_t *buf = malloc (max);

  CHECK (fd >= 0 && buf != NULL);
  CHECK (ftruncate (fd, (off_t) (ranges * FT_WORK)) == 0);
  for (unsigned r = 0; r < ranges; r++) {
    for (unsigned c = 0; c < chunks; c++) {
      uint64_t off = r * FT_WORK + c * (3ULL << 20) + 4096 * (c + r);
      size_t len = (100 << 10) + c * (70 << 10) + 512 * r;
      if (len > max)
        len = max;
      /* The last chunk of a range runs into the next one. */
      if (c == chunks - 1 && r + 1 < ranges)
        off = (r + 1) * FT_WORK - (40 << 10);
      test_fill_pattern (buf, len, off);
      CHECK (pwrite (fd, buf, len, (off_t) off) == (ssize_t) len);
    }
  }
  /* Written zeros: data to SEEK_DATA, nothing for the mover to write. */
  memset (buf, 0, 256 << 10);
  CHECK (pwrite (fd, buf, 256 << 10, (off_t) (FT_WORK + (40 << 20)))
         == 256 << 10);
  CHECK (close (fd) == 0);
  free (buf);
  free (path);
}

/* Create the target in `format` as large as the source. */
static inline void
ft_make_target (const char *format, const char *name, uint64_t size)
{
  struct disk_create_options co = { .size = size };
  char *path = test_path (name);

  CHECK (disk_create (format, path, &co) == 0);
  free (path);
}

static int
ft_record (void *opaque, const struct range *done, size_t n)
{
  int fd = *(int *) opaque;

  for (size_t i = 0; i < n; i++)
    if (write (fd, &done[i], sizeof done[i]) != sizeof done[i]) {
      error_set_errno (errno, "recording a finished range");
      return -1;
    }
  return 0;
}

struct ft_run {
  const char *format;
  const char *src, *dst;        /* names in the test directory */
  unsigned workers;
  bool target_is_zero;
  const range_vector *todo;     /* NULL = the whole disk */
  unsigned long crash_at;       /* 0 = none */
  uint64_t crash_seed;          /* see fault_crash_keeps_some */
};

/* Run one copy in a child process, crashing it at the crash_at-th
 * write-side call; append what its checkpoints recorded to *recorded.
 * Returns true when the copy finished before that call (no crash). */
static inline bool
ft_run_copy (const struct ft_run *run, range_vector *recorded)
{
  int fds[2];
  pid_t pid;
  struct range r;
  int status;
  ssize_t n;

  CHECK (pipe2 (fds, O_CLOEXEC) == 0);
  pid = fork ();
  CHECK (pid >= 0);
  if (pid == 0) {
    struct copy_options opts = {
      .workers = run->workers, .request_size = 256 << 10,
      .target_is_zero = run->target_is_zero,
      .checkpoint = ft_record, .checkpoint_interval = 1e-9,
      .opaque = &fds[1],
    };
    struct disk *src = test_open (run->src);
    char *path = test_path (run->dst);
    struct disk *dst = disk_open (path, run->format, DISK_OPEN_WRITE);

    if (dst == NULL) {
      fprintf (stderr, "child: %s\n", error_message ());
      _exit (2);
    }
    if (run->todo) {
      opts.ranges = run->todo->ptr;
      opts.nr_ranges = run->todo->len;
    }
    close (fds[0]);
    fault_enable ();
    fault_crash_at (run->crash_at);
    fault_crash_keeps_some (run->crash_seed);
    if (copy_disk (src, dst, &opts, NULL) == -1) {
      fprintf (stderr, "child: copy failed: %s\n", error_message ());
      _exit (3);
    }
    disk_close (dst);
    disk_close (src);
    _exit (0);                  /* not exit: atexit would remove the dir */
  }
  close (fds[1]);
  while ((n = read (fds[0], &r, sizeof r)) == sizeof r)
    CHECK (range_vector_append (recorded, r) == 0);
  CHECK (n == 0);
  close (fds[0]);
  CHECK (waitpid (pid, &status, 0) == pid);
  if (WIFEXITED (status) && WEXITSTATUS (status) == FAULT_CRASH_STATUS)
    return false;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    FAIL ("the copy (crash at call %lu) ended with status %d",
          run->crash_at, status);
  return true;
}

/* Every recorded range of the target reads as the source. */
static inline void
ft_check_recorded (const char *format, const char *src_name,
                   const char *dst_name, const range_vector *recorded,
                   unsigned long crash_at)
{
  struct disk *src = test_open (src_name);
  char *path = test_path (dst_name);
  struct disk *dst = disk_open (path, format, 0);

  if (dst == NULL)
    FAIL ("fault point %lu: the target does not open: %s", crash_at,
          error_message ());
  for (size_t i = 0; i < recorded->len; i++)
    if (!test_disks_same (src, dst, recorded->ptr[i].offset, recorded->ptr[i].length))
      FAIL ("fault point %lu: range %llu+%llu was recorded as finished "
            "but the target does not hold it", crash_at,
            (unsigned long long) recorded->ptr[i].offset,
            (unsigned long long) recorded->ptr[i].length);
  disk_close (dst);
  disk_close (src);
  free (path);
}

/* qemu-img check accepts the image: clean (0) or only leaked clusters
 * (3), never corruption. */
static inline void
ft_qemu_check (const char *name, unsigned long crash_at)
{
  int st = test_run_status ("qemu-img check -q %s >/dev/null 2>&1", name);

  if (st != 0 && st != 3) {
    test_run_status ("qemu-img check %s >&2", name);
    FAIL ("fault point %lu: qemu-img check says %s is damaged (exit %d)",
          crash_at, name, st);
  }
}

/* The guest-visible content of the target equals the source's, by
 * ferry's compare and by qemu-img compare (the oracle). */
static inline void
ft_check_equal (const char *format, const char *src_name,
                const char *dst_name, bool use_qemu, unsigned long crash_at)
{
  struct disk *src = test_open (src_name);
  char *path = test_path (dst_name);
  struct disk *dst = disk_open (path, format, 0);
  uint64_t where = 0;

  CHECK (dst != NULL);
  if (copy_compare (src, dst, &where) != 0)
    FAIL ("fault point %lu: after the resumed copy the target differs "
          "from the source at %llu", crash_at, (unsigned long long) where);
  disk_close (dst);
  disk_close (src);
  free (path);
  if (use_qemu
      && test_run_status ("qemu-img compare -q -f raw -F %s %s %s", format,
                          src_name, dst_name) != 0)
    FAIL ("fault point %lu: qemu-img compare: the target differs from "
          "the source", crash_at);
}

#endif
