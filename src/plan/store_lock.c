/* store_lock.c: the runner lock of a plan (one live `plan run` per plan):
 * an open-file-description lock on byte plan_id of PATH.lock.  Not on the
 * database file itself: SQLite takes POSIX locks there, and closing any
 * other descriptor of that file would drop them.  See store.h.
 *
 * No SQL here.  The lock must never outlive its holder: it dies with the
 * process (or store_close), so a killed run never leaves its plan locked.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/store.h"
#include "plan/store_internal.h"
#include "util/error.h"

static char *
store_lock_path (const struct store *s)
{
  size_t n = strlen (s->path) + sizeof ".lock";
  char *path = malloc (n);

  if (path == NULL)
    error_set_errno (errno, "store: malloc");
  else
    snprintf (path, n, "%s.lock", s->path);
  return path;
}

static void
store_lock_range (struct flock *fl, short type, int64_t plan_id)
{
  memset (fl, 0, sizeof *fl);
  fl->l_type = type;
  fl->l_whence = SEEK_SET;
  fl->l_start = (off_t) plan_id;
  fl->l_len = 1;
}

int
store_plan_lock (struct store *s, int64_t plan_id)
{
  struct flock fl;

  if (plan_id <= 0) {
    error_set ("store: %s: no plan %" PRId64 " to lock", s->path, plan_id);
    return -1;
  }
  if (s->lock_fd < 0) {
    char *path = store_lock_path (s);
    if (path == NULL)
      return -1;
    s->lock_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->lock_fd < 0) {
      error_set_errno (errno, "store: opening %s", path);
      free (path);
      return -1;
    }
    free (path);
  }
  store_lock_range (&fl, F_WRLCK, plan_id);
  if (fcntl (s->lock_fd, F_OFD_SETLK, &fl) == 0)
    return 0;
  if (errno == EAGAIN || errno == EACCES)
    return 1;
  error_set_errno (errno, "store: %s.lock: locking plan %" PRId64, s->path,
                   plan_id);
  return -1;
}

void
store_plan_unlock (struct store *s, int64_t plan_id)
{
  struct flock fl;

  if (s->lock_fd < 0)
    return;
  store_lock_range (&fl, F_UNLCK, plan_id);
  fcntl (s->lock_fd, F_OFD_SETLK, &fl);
}

int
store_plan_locked (struct store *s, int64_t plan_id)
{
  struct flock fl;
  char *path = store_lock_path (s);
  int fd, r;

  if (path == NULL)
    return -1;
  /* A descriptor of its own: it sees this handle's lock too. */
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r = errno == ENOENT ? 0 : -1;  /* never locked */
    if (r == -1)
      error_set_errno (errno, "store: opening %s", path);
    free (path);
    return r;
  }
  store_lock_range (&fl, F_WRLCK, plan_id);
  if (fcntl (fd, F_OFD_GETLK, &fl) == -1) {
    error_set_errno (errno, "store: %s: testing the lock of plan %" PRId64,
                     path, plan_id);
    r = -1;
  }
  else
    r = fl.l_type != F_UNLCK;
  close (fd);
  free (path);
  return r;
}
