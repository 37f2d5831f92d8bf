/* fault.c: fault injection under io.h's writes; see fault.h for the model.
 *
 * Per written file (found by device and inode, so that every descriptor
 * of it shares one state, and kept open through a duplicate descriptor of
 * our own so that a crash can still undo it after the driver closed it):
 * its durable size and an undo log, the bytes each unsynced write-side
 * call replaced, oldest first, holes kept as holes, and the ranges those
 * calls changed.  A successful sync empties both; a crash plays the log
 * backwards, then cuts the file to its durable size (a crash that keeps
 * some writes first copies what the changed ranges hold, then puts a
 * random part of it back).
 *
 * This file must never be reached in production (io.c only calls it while
 * fault_active), and never counts or intercepts its own undo writes: they
 * go straight to the system.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fault.h"
#include "util/vector.h"

/* The bytes [offset, offset + length) held before an unsynced call. */
struct fault_undo {
  uint64_t offset;
  uint64_t length;
  uint8_t *data;                /* NULL: a hole */
};
DEFINE_VECTOR_TYPE (fault_undo_vector, struct fault_undo);

/* A byte range an unsynced call changed. */
struct fault_range {
  uint64_t offset;
  uint64_t length;
};
DEFINE_VECTOR_TYPE (fault_range_vector, struct fault_range);

struct fault_file {
  dev_t dev;
  ino_t ino;
  int fd;                       /* our own duplicate */
  uint64_t durable_size;
  fault_undo_vector undo;       /* oldest first */
  fault_range_vector touched;   /* what the unsynced calls changed */
};
DEFINE_VECTOR_TYPE (fault_file_vector, struct fault_file);

/* Calls first .. last of one kind (last 0 = no end). */
struct fault_rule {
  unsigned long first, last;
  int errnum;
  size_t max_bytes;
};

/* What a crash keeps or loses, at most: a page of the page cache. */
#define FAULT_PAGE 4096

bool fault_active;

static struct {
  pthread_mutex_t lock;
  unsigned long calls[FAULT_NR_OPS];
  unsigned long total;
  struct fault_rule fail[FAULT_NR_OPS];
  struct fault_rule shorten;
  unsigned long crash_at;
  uint64_t crash_seed;          /* 0: a crash loses every unsynced write */
  fault_file_vector files;
} fault = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
fault_file_forget_undo (struct fault_file *f)
{
  for (size_t i = 0; i < f->undo.len; i++)
    free (f->undo.ptr[i].data);
  f->undo.len = 0;
  f->touched.len = 0;
}

static void
fault_forget (void)
{
  for (size_t i = 0; i < fault.files.len; i++) {
    fault_file_forget_undo (&fault.files.ptr[i]);
    fault_undo_vector_reset (&fault.files.ptr[i].undo);
    fault_range_vector_reset (&fault.files.ptr[i].touched);
    close (fault.files.ptr[i].fd);
  }
  fault_file_vector_reset (&fault.files);
  memset (fault.calls, 0, sizeof fault.calls);
  memset (fault.fail, 0, sizeof fault.fail);
  memset (&fault.shorten, 0, sizeof fault.shorten);
  fault.total = 0;
  fault.crash_at = 0;
  fault.crash_seed = 0;
}

void
fault_enable (void)
{
  pthread_mutex_lock (&fault.lock);
  fault_forget ();
  fault_active = true;
  pthread_mutex_unlock (&fault.lock);
}

void
fault_disable (void)
{
  pthread_mutex_lock (&fault.lock);
  fault_active = false;
  fault_forget ();
  pthread_mutex_unlock (&fault.lock);
}

static void
fault_rule_set (struct fault_rule *r, unsigned long nth, unsigned long count)
{
  r->first = nth;
  r->last = count == 0 ? 0 : nth + count - 1;
}

static bool
fault_rule_hits (const struct fault_rule *r, unsigned long call)
{
  return r->first != 0 && call >= r->first
    && (r->last == 0 || call <= r->last);
}

void
fault_fail (enum fault_op op, unsigned long nth, unsigned long count,
            int errnum)
{
  pthread_mutex_lock (&fault.lock);
  fault_rule_set (&fault.fail[op], nth, count);
  fault.fail[op].errnum = errnum;
  pthread_mutex_unlock (&fault.lock);
}

void
fault_short_write (unsigned long nth, unsigned long count, size_t max_bytes)
{
  pthread_mutex_lock (&fault.lock);
  fault_rule_set (&fault.shorten, nth, count);
  fault.shorten.max_bytes = max_bytes;
  pthread_mutex_unlock (&fault.lock);
}

void
fault_crash_at (unsigned long nth)
{
  pthread_mutex_lock (&fault.lock);
  fault.crash_at = nth;
  pthread_mutex_unlock (&fault.lock);
}

void
fault_crash_keeps_some (uint64_t seed)
{
  pthread_mutex_lock (&fault.lock);
  fault.crash_seed = seed;
  pthread_mutex_unlock (&fault.lock);
}

unsigned long
fault_count (enum fault_op op)
{
  unsigned long n;

  pthread_mutex_lock (&fault.lock);
  n = op == FAULT_NR_OPS ? fault.total : fault.calls[op];
  pthread_mutex_unlock (&fault.lock);
  return n;
}

/* Put the bytes of one undo record back (lock held). */
static int
fault_undo_apply (int fd, const struct fault_undo *u)
{
  uint64_t done = 0;

  if (u->data == NULL) {
    if (fallocate (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                   (off_t) u->offset, (off_t) u->length) == 0)
      return 0;
    if (errno != EOPNOTSUPP)
      return -1;
    /* No holes on this file system: the hole read as zeros. */
    while (done < u->length) {
      static const uint8_t zeros[65536];
      size_t n = u->length - done < sizeof zeros ? u->length - done
                                                 : sizeof zeros;
      ssize_t r = pwrite (fd, zeros, n, (off_t) (u->offset + done));
      if (r <= 0)
        return -1;
      done += r;
    }
    return 0;
  }
  while (done < u->length) {
    ssize_t r = pwrite (fd, u->data + done, u->length - done,
                        (off_t) (u->offset + done));
    if (r <= 0)
      return -1;
    done += r;
  }
  return 0;
}

/* Return a file to its durable state (lock held). */
static int
fault_file_undo (struct fault_file *f)
{
  int r = 0;

  for (size_t i = f->undo.len; i-- > 0;)
    if (fault_undo_apply (f->fd, &f->undo.ptr[i]) == -1)
      r = -1;
  if (ftruncate (f->fd, (off_t) f->durable_size) == -1)
    r = -1;
  fault_file_forget_undo (f);
  return r;
}

static int fault_capture (int fd, uint64_t offset, uint64_t length,
                          fault_undo_vector *out);

static uint64_t
fault_random (uint64_t *state)            /* splitmix64 */
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* A crash that keeps some unsynced changes (lock held): capture what the
 * changed ranges hold now, return to the durable state, then keep the new
 * size or not, and each changed page (each hole made) or not. */
static int
fault_file_crash_partly (struct fault_file *f, uint64_t *rng)
{
  fault_undo_vector latest = empty_vector;
  struct stat st;
  uint64_t size;
  int r = 0;

  if (fstat (f->fd, &st) == -1)
    return -1;
  for (size_t i = 0; i < f->touched.len; i++)
    if (fault_capture (f->fd, f->touched.ptr[i].offset,
                       f->touched.ptr[i].length, &latest) == -1)
      r = -1;
  size = f->durable_size;
  if (fault_file_undo (f) == -1)
    r = -1;
  if (fault_random (rng) & 1) {
    size = st.st_size;
    if (ftruncate (f->fd, (off_t) size) == -1)
      r = -1;
  }
  for (size_t i = 0; i < latest.len; i++) {
    struct fault_undo *u = &latest.ptr[i];
    uint64_t step = u->data ? FAULT_PAGE : u->length;

    for (uint64_t at = u->offset; at < u->offset + u->length && at < size;) {
      uint64_t end = u->data ? (at / FAULT_PAGE + 1) * FAULT_PAGE
                             : at + step;
      struct fault_undo piece = { .offset = at };

      if (end > u->offset + u->length)
        end = u->offset + u->length;
      if (end > size)
        end = size;
      piece.length = end - at;
      piece.data = u->data ? u->data + (at - u->offset) : NULL;
      if ((fault_random (rng) & 1) && fault_undo_apply (f->fd, &piece) == -1)
        r = -1;
      at = end;
    }
    free (u->data);
  }
  fault_undo_vector_reset (&latest);
  return r;
}

static int
fault_undo_all (void)
{
  uint64_t rng = fault.crash_seed;
  int r = 0;

  for (size_t i = 0; i < fault.files.len; i++)
    if ((rng ? fault_file_crash_partly (&fault.files.ptr[i], &rng)
             : fault_file_undo (&fault.files.ptr[i])) == -1)
      r = -1;
  return r;
}

void
fault_crash (void)
{
  pthread_mutex_lock (&fault.lock);
  fault_undo_all ();
  pthread_mutex_unlock (&fault.lock);
}

/* The tracked state of the file open as fd, made on first use (lock
 * held).  NULL with errno set on failure. */
static struct fault_file *
fault_file_get (int fd)
{
  struct fault_file f = { .fd = -1, .undo = empty_vector };
  struct stat st;

  if (fstat (fd, &st) == -1)
    return NULL;
  for (size_t i = 0; i < fault.files.len; i++)
    if (fault.files.ptr[i].dev == st.st_dev
        && fault.files.ptr[i].ino == st.st_ino)
      return &fault.files.ptr[i];
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  f.durable_size = st.st_size;
  f.fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  if (f.fd == -1)
    return NULL;
  if (fault_file_vector_append (&fault.files, f) == -1) {
    close (f.fd);
    errno = ENOMEM;
    return NULL;
  }
  return &fault.files.ptr[fault.files.len - 1];
}

static int
fault_undo_push (int fd, fault_undo_vector *v, uint64_t offset,
                 uint64_t length, bool hole)
{
  struct fault_undo u = { .offset = offset, .length = length };
  uint64_t done = 0;

  if (!hole) {
    u.data = malloc (length);
    if (u.data == NULL)
      return -1;
    while (done < length) {
      ssize_t r = pread (fd, u.data + done, length - done,
                         (off_t) (offset + done));
      if (r <= 0) {
        free (u.data);
        if (r == 0)
          errno = EIO;
        return -1;
      }
      done += r;
    }
  }
  if (fault_undo_vector_append (v, u) == -1) {
    free (u.data);
    errno = ENOMEM;
    return -1;
  }
  return 0;
}

/* Append to *out what [offset, offset + length) of the file holds now,
 * data and holes (nothing past its end). */
static int
fault_capture (int fd, uint64_t offset, uint64_t length,
               fault_undo_vector *out)
{
  struct stat st;
  uint64_t end, pos;

  if (fstat (fd, &st) == -1)
    return -1;
  end = offset + length;
  if (end > (uint64_t) st.st_size)
    end = st.st_size;
  for (pos = offset; pos < end;) {
    off_t data = lseek (fd, (off_t) pos, SEEK_DATA);
    off_t hole;

    if (data == -1 && errno != ENXIO)
      return -1;
    if (data == -1 || (uint64_t) data >= end)
      return fault_undo_push (fd, out, pos, end - pos, true);
    if ((uint64_t) data > pos
        && fault_undo_push (fd, out, pos, data - pos, true) == -1)
      return -1;
    hole = lseek (fd, data, SEEK_HOLE);
    if (hole == -1)
      return -1;
    if ((uint64_t) hole > end)
      hole = end;
    if (fault_undo_push (fd, out, data, hole - data, false) == -1)
      return -1;
    pos = hole;
  }
  return 0;
}

/* Before a call changes [offset, offset + length) of the file: keep what
 * it holds (past the end: the final cut undoes it) and that it changed
 * (lock held). */
static int
fault_remember (int fd, uint64_t offset, uint64_t length)
{
  struct fault_file *f = fault_file_get (fd);
  struct fault_range t = { .offset = offset, .length = length };

  if (f == NULL)
    return -1;
  if (fault_range_vector_append (&f->touched, t) == -1) {
    errno = ENOMEM;
    return -1;
  }
  return fault_capture (f->fd, offset, length, &f->undo);
}

/* Count a call and decide its fate (lock held): 0 to go on, or an errno
 * to fail with.  Crashes here when it is the chosen call. */
static int
fault_begin (enum fault_op op)
{
  unsigned long call = ++fault.calls[op];

  fault.total++;
  if (fault.crash_at != 0 && fault.total == fault.crash_at) {
    fault_undo_all ();
    _exit (FAULT_CRASH_STATUS);
  }
  if (fault_rule_hits (&fault.fail[op], call))
    return fault.fail[op].errnum;
  return 0;
}

ssize_t
fault_pwrite (int fd, const void *buf, size_t count, off_t offset)
{
  ssize_t r = -1;
  int err;

  pthread_mutex_lock (&fault.lock);
  err = fault_begin (FAULT_PWRITE);
  if (err == 0) {
    if (fault_rule_hits (&fault.shorten, fault.calls[FAULT_PWRITE])
        && count > fault.shorten.max_bytes)
      count = fault.shorten.max_bytes;
    if (count == 0)
      r = 0;
    else if (fault_remember (fd, offset, count) == 0)
      r = pwrite (fd, buf, count, offset);
    err = r == -1 ? errno : 0;
  }
  pthread_mutex_unlock (&fault.lock);
  errno = err;
  return r;
}

int
fault_fdatasync (int fd)
{
  struct fault_file *f;
  struct stat st;
  int err, r = -1;

  pthread_mutex_lock (&fault.lock);
  err = fault_begin (FAULT_SYNC);
  f = fault_file_get (fd);
  if (f == NULL)
    err = errno;
  else if (err != 0)
    fault_file_undo (f);        /* the writes it was to save are lost */
  else if (fdatasync (fd) == -1 || fstat (fd, &st) == -1)
    err = errno;
  else {
    fault_file_forget_undo (f);
    f->durable_size = st.st_size;
    r = 0;
  }
  pthread_mutex_unlock (&fault.lock);
  errno = err;
  return r;
}

int
fault_ftruncate (int fd, off_t length)
{
  struct stat st;
  int err, r = -1;

  pthread_mutex_lock (&fault.lock);
  err = fault_begin (FAULT_TRUNCATE);
  if (err == 0) {
    if (fstat (fd, &st) == 0
        && (length >= st.st_size
            || fault_remember (fd, length, st.st_size - length) == 0)
        && fault_file_get (fd) != NULL)
      r = ftruncate (fd, length);
    err = r == -1 ? errno : 0;
  }
  pthread_mutex_unlock (&fault.lock);
  errno = err;
  return r;
}

int
fault_punch_hole (int fd, off_t offset, off_t length)
{
  int err, r = -1;

  pthread_mutex_lock (&fault.lock);
  err = fault_begin (FAULT_PUNCH);
  if (err == 0) {
    if (fault_remember (fd, offset, length) == 0)
      r = fallocate (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                     offset, length);
    err = r == -1 ? errno : 0;
  }
  pthread_mutex_unlock (&fault.lock);
  errno = err;
  return r;
}
