/* nbdtest.h: what the NBD disk's unit tests share beyond imagetest.h:
 * NBD servers (qemu-nbd, nbdkit) on a Unix socket in the test directory,
 * killed when the test exits, however it exits; the image they all serve,
 * with its writes known in advance; nbdinfo's maps as a second oracle.
 */
#ifndef FERRY_TESTS_NBDTEST_H
#define FERRY_TESTS_NBDTEST_H

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libnbd.h>

#include "disk/nbd.h"
#include "imagetest.h"

#define NT_MAX_SERVERS 8
static pid_t nt_servers[NT_MAX_SERVERS];
static unsigned nt_nr_servers;

static inline void
nt_stop_servers (void)
{
  for (unsigned i = 0; i < nt_nr_servers; i++) {
    kill (nt_servers[i], SIGTERM);
    waitpid (nt_servers[i], NULL, 0);
  }
  nt_nr_servers = 0;
}

/* test_init, and SKIP (test.h) unless qemu-nbd is there too. */
static inline void
nt_init (void)
{
  test_init (true);
  if (system ("qemu-nbd --version >/dev/null 2>&1") != 0)
    SKIP ("qemu-img", "qemu-nbd is not installed (Debian: qemu-utils)");
}

/* Whether a server answers at uri (a whole NBD handshake, so that the
 * server has nothing to complain about). */
static inline bool
nt_listening (const char *uri)
{
  struct nbd_handle *h = nbd_create ();
  bool ok;

  if (h == NULL)
    FAIL ("nbd_create: %s", nbd_get_error ());
  ok = nbd_connect_uri (h, uri) == 0;
  if (ok)
    nbd_shutdown (h, 0);
  nbd_close (h);
  return ok;
}

/* Run the shell command cmd (in the test directory) as a server that
 * listens on socket `name` and dies with the test; returns the export's
 * URI.  The server must accept several clients one after another. */
static inline const char *
nt_serve (const char *name, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

static inline const char *
nt_serve (const char *name, const char *fmt, ...)
{
  char *sock = test_path (name), *cmd;
  const char *uri = test_printf ("nbd+unix:///?socket=%s", sock), *exec;
  va_list ap;
  pid_t pid;

  va_start (ap, fmt);
  if (vasprintf (&cmd, fmt, ap) == -1)
    FAIL ("out of memory");
  va_end (ap);
  exec = test_printf ("exec %s", cmd);
  if (nt_nr_servers == NT_MAX_SERVERS)
    FAIL ("too many servers");
  fprintf (stderr, "+ %s &\n", cmd);
  pid = fork ();
  if (pid == -1)
    FAIL ("fork: %s", strerror (errno));
  if (pid == 0) {
    /* dies with the test even when the test crashes */
    prctl (PR_SET_PDEATHSIG, SIGTERM);
    if (chdir (test_dir ()) == -1 || dup2 (2, 1) == -1)
      _exit (127);
    execl ("/bin/sh", "sh", "-c", exec, NULL);
    _exit (127);
  }
  if (nt_nr_servers++ == 0)
    atexit (nt_stop_servers);
  nt_servers[nt_nr_servers - 1] = pid;
  for (int i = 0; !nt_listening (uri); i++) {
    if (i == 3000 || waitpid (pid, NULL, WNOHANG) == pid)
      FAIL ("the server did not start listening on %s", sock);
    nanosleep (&(struct timespec) { .tv_nsec = 10000000 }, NULL);
  }
  free (cmd);
  free (sock);
  return uri;
}

/* qemu-nbd serving img read-only (format qcow2) on socket name, with the
 * dirty bitmap `bitmap` (NULL = none), to up to 8 clients at once. */
static inline const char *
nt_serve_qemu (const char *name, const char *img, const char *bitmap)
{
  return nt_serve (name, "qemu-nbd -r -t -e 8 -k '%s/%s' %s%s -f qcow2 '%s'",
                   test_dir (), name, bitmap ? "-B " : "",
                   bitmap ? bitmap : "", img);
}

static inline struct disk *
nt_open (const char *uri, const char *context)
{
  struct disk *d = nbd_disk_open (uri, context);

  if (d == NULL)
    FAIL ("nbd_disk_open %s: %s", uri, error_message ());
  return d;
}

/* The image most tests serve: test.qcow2, 128 MiB, v3, 64 KiB clusters,
 * with the dirty bitmap b0 (64 KiB granularity) added before any write,
 * so that what is dirty is exactly what was written:
 *   [1M, +128K)       0x5a
 *   [4M, +1M)         written with 0x11, then zeroed (write -z)
 *   [5M, +1M)         0x11
 *   [16M, +40M)       0x33 (longer than any NBD read)
 *   [128M-64K, +64K)  0x77, up to the end of the disk */
#define NT_SIZE (128ull << 20)
static const struct range nt_dirty[] = {
  { 1ull << 20, 128ull << 10 },
  { 4ull << 20, 2ull << 20 },
  { 16ull << 20, 40ull << 20 },
  { NT_SIZE - (64ull << 10), 64ull << 10 },
};
static const struct range nt_zeroed = { 4ull << 20, 1ull << 20 };
static const struct range nt_data[] = {
  { 1ull << 20, 128ull << 10 },
  { 5ull << 20, 1ull << 20 },
  { 16ull << 20, 40ull << 20 },
  { NT_SIZE - (64ull << 10), 64ull << 10 },
};
#define NT_NR(a) (sizeof (a) / sizeof (a)[0])

static inline void
nt_make_image (void)
{
  test_run ("qemu-img create -q -f qcow2 -o compat=1.1 test.qcow2 %" PRIu64,
            (uint64_t) NT_SIZE);
  test_run ("qemu-img bitmap --add test.qcow2 b0");
  test_run ("qemu-io -f qcow2 -c 'write -P 0x5a 1M 128K' "
            "-c 'write -P 0x11 4M 2M' -c 'write -z 4M 1M' "
            "-c 'write -P 0x33 16M 40M' -c 'write -P 0x77 %" PRIu64 " 64K' "
            "test.qcow2 >/dev/null", (uint64_t) (NT_SIZE - (64ull << 10)));
}

static inline void
nt_expect_ranges (const char *what, const range_vector *got,
                  const struct range *want, size_t n)
{
  bool same = got->len == n;

  for (size_t i = 0; same && i < n; i++)
    same = got->ptr[i].offset == want[i].offset
           && got->ptr[i].length == want[i].length;
  if (same)
    return;
  for (size_t i = 0; i < got->len; i++)
    fprintf (stderr, "got  [%" PRIu64 ", +%" PRIu64 ")\n", got->ptr[i].offset,
             got->ptr[i].length);
  for (size_t i = 0; i < n; i++)
    fprintf (stderr, "want [%" PRIu64 ", +%" PRIu64 ")\n", want[i].offset,
             want[i].length);
  FAIL ("%s: the ranges differ", what);
}

/* `nbdinfo --map=context uri`: the extents whose type has a bit of mask,
 * sorted and merged, appended to out.  false (after SKIP_PART) when
 * nbdinfo is missing. */
static inline bool
nt_nbdinfo_map (const char *uri, const char *context, uint32_t mask,
                range_vector *out)
{
  char *map = test_path ("nbdinfo.map");
  uint64_t offset, length;
  unsigned type;
  FILE *fp;

  if (system ("nbdinfo --version >/dev/null 2>&1") != 0) {
    SKIP_PART ("nbdinfo", "nbdinfo is not installed (Debian: libnbd-bin): "
               "no second oracle for %s", context);
    free (map);
    return false;
  }
  test_run ("nbdinfo --map='%s' '%s' > '%s'", context, uri, map);
  fp = fopen (map, "r");
  if (fp == NULL)
    FAIL ("%s: %s", map, strerror (errno));
  while (fscanf (fp, "%" SCNu64 " %" SCNu64 " %u%*[^\n]", &offset, &length,
                 &type) == 3)
    if ((type & mask)
        && range_vector_append (out, (struct range) {
              .offset = offset, .length = length }) == -1)
      FAIL ("out of memory");
  if (!feof (fp))
    FAIL ("%s: cannot parse nbdinfo's output", map);
  fclose (fp);
  range_normalize (out);
  free (map);
  return true;
}

#endif
