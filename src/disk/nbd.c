/* nbd.c: read-only disks over NBD (see nbd.h), with libnbd.
 *
 * Connections: one, or NBD_DISK_CONNECTIONS when the server advertises
 * multi-conn (then every connection sees the same data).  A synchronous
 * libnbd call holds its handle for the whole round trip, so each call takes
 * an idle handle from the pool and gives it back: the mover's workers never
 * queue behind one another while a connection is free.
 *
 * Block status: every request asks for at most NBD_DISK_STATUS_MAX bytes
 * and never past the end of the disk.  The server's answer is treated as
 * hostile: its extents may be shorter or longer than asked, and their
 * boundaries fall anywhere; they are clipped to the request and merged by
 * what they mean to the caller (the flags masked), and an answer with no
 * extent, an empty extent, or extents that do not follow on from one
 * another is an error, never a loop.
 *
 * The export must not change while it is open (a backup job's view does
 * not): base:allocation is asked for NBD_DISK_STATUS_MAX at a time and the
 * answer kept, so that the mover and the digest, which ask about every
 * MiB, cost one round trip per window instead of one per MiB (with
 * QEMU's backup export, 2.9 s against 1.1 s to digest 1 GiB).
 *
 * Must never: write to the export, or print.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnbd.h>

#include "disk/nbd.h"
#include "util/checked.h"
#include "util/error.h"
#include "util/log.h"
#include "util/vector.h"

/* Connections opened to a multi-conn server. */
#define NBD_DISK_CONNECTIONS 4
/* Largest read sent: what the NBD protocol lets a client assume when the
 * server says nothing (libnbd itself refuses reads over 64 MiB). */
#define NBD_DISK_REQUEST_MAX (32u << 20)

struct nbd_disk {
  struct nbd_handle *handles[NBD_DISK_CONNECTIONS];  /* all of them */
  unsigned nr_handles;
  uint64_t request_max;           /* largest read sent */

  pthread_mutex_t lock;           /* protects idle, nr_idle, cached */
  pthread_cond_t given_back;
  struct nbd_handle *idle[NBD_DISK_CONNECTIONS];
  unsigned nr_idle;
  void *cached;                   /* nbd_run_vector *: the last
                                     base:allocation answer, or NULL */
};

extern const struct disk_driver disk_driver_nbd;

/* A stretch of one block status answer: [offset, offset + length), whose
 * flags have (set) or have not a bit of the mask. */
struct nbd_run {
  uint64_t offset;
  uint64_t length;
  bool set;
};

DEFINE_VECTOR_TYPE (nbd_run_vector, struct nbd_run);

/* One block status request and its answer, filled by nbd_disk_extent. */
struct nbd_status {
  const char *context;
  uint32_t mask;
  uint64_t offset, end;           /* the request */
  bool answered;                  /* the server's extents for context came */
  nbd_run_vector runs;            /* contiguous from offset, merged */
  char why[160];                  /* why the answer is unusable, or "" */
};

static struct nbd_handle *
nbd_disk_take (struct nbd_disk *nd)
{
  struct nbd_handle *h;

  pthread_mutex_lock (&nd->lock);
  while (nd->nr_idle == 0)
    pthread_cond_wait (&nd->given_back, &nd->lock);
  h = nd->idle[--nd->nr_idle];
  pthread_mutex_unlock (&nd->lock);
  return h;
}

static void
nbd_disk_give_back (struct nbd_disk *nd, struct nbd_handle *h)
{
  pthread_mutex_lock (&nd->lock);
  nd->idle[nd->nr_idle++] = h;
  pthread_cond_signal (&nd->given_back);
  pthread_mutex_unlock (&nd->lock);
}

/* libnbd's extent callback, called once per meta context of the answer
 * (and more often by a buggy server). */
static int
nbd_disk_extent (void *opaque, const char *context, uint64_t offset,
                 uint32_t *entries, size_t nr_entries, int *error)
{
  struct nbd_status *st = opaque;
  uint64_t pos = offset, next = st->offset;

  if (strcmp (context, st->context) != 0)
    return 0;
  if (st->answered) {
    snprintf (st->why, sizeof st->why, "the server answered twice");
    goto bad;
  }
  st->answered = true;
  for (size_t i = 0; i + 1 < nr_entries && pos < st->end; i += 2) {
    uint64_t end, start = max_u64 (pos, st->offset);
    bool set = (entries[i + 1] & st->mask) != 0;
    struct nbd_run *last;

    if (entries[i] == 0) {
      snprintf (st->why, sizeof st->why, "the server returned an empty "
                "extent at offset %" PRIu64, pos);
      goto bad;
    }
    if (checked_add (pos, entries[i], &end)) {
      snprintf (st->why, sizeof st->why, "the server's extents run past "
                "the largest offset");
      goto bad;
    }
    pos = end;
    end = min_u64 (end, st->end);
    if (end <= start)            /* wholly before the request */
      continue;
    if (start != next) {
      snprintf (st->why, sizeof st->why, "the server's extents skip from "
                "offset %" PRIu64 " to %" PRIu64, next, start);
      goto bad;
    }
    next = end;
    last = st->runs.len ? &st->runs.ptr[st->runs.len - 1] : NULL;
    if (last && last->set == set)
      last->length += end - start;
    else if (nbd_run_vector_append (&st->runs, (struct nbd_run) {
                 .offset = start, .length = end - start, .set = set }) == -1) {
      snprintf (st->why, sizeof st->why, "%s", error_message ());
      *error = ENOMEM;
      return -1;
    }
  }
  return 0;

bad:
  *error = EPROTO;
  return -1;
}

/* Block status of [offset, offset + length) in context (cut to
 * NBD_DISK_STATUS_MAX and to the end of the disk) into st->runs: at least
 * one run, the first at offset.  Free st->runs afterwards, also on error. */
static int
nbd_disk_status (struct disk *disk, struct nbd_handle *h, const char *context,
                 uint32_t mask, uint64_t offset, uint64_t length,
                 struct nbd_status *st)
{
  nbd_extent_callback callback = {
    .callback = nbd_disk_extent,
    .user_data = st,
  };

  length = min_u64 (min_u64 (length, NBD_DISK_STATUS_MAX),
                    disk->size - offset);
  *st = (struct nbd_status) {
    .context = context,
    .mask = mask,
    .offset = offset,
    .end = offset + length,
  };
  if (nbd_block_status (h, length, offset, callback, 0) == -1) {
    error_set ("nbd: %s: block status of %s at offset %" PRIu64 " (%"
               PRIu64 " bytes): %s", disk->path, context, offset, length,
               st->why[0] ? st->why : nbd_get_error ());
    return -1;
  }
  if (st->runs.len == 0) {
    error_set ("nbd: %s: block status of %s at offset %" PRIu64 " (%"
               PRIu64 " bytes): the server returned no extent", disk->path,
               context, offset, length);
    return -1;
  }
  return 0;
}

/* Where a walk puts what it finds, merging each new range with the last
 * one that the same walk appended (from index *_first on). */
struct nbd_walk {
  const char *context;
  uint32_t mask;
  range_vector *set;             /* flags with a bit of mask */
  size_t set_first;
  range_vector *clear;           /* the others; NULL = dropped */
  size_t clear_first;
};

static int
nbd_range_append (range_vector *v, size_t first, uint64_t offset,
                  uint64_t length)
{
  struct range *last = v->len > first ? &v->ptr[v->len - 1] : NULL;

  if (last && last->offset + last->length == offset) {
    last->length += length;
    return 0;
  }
  return range_vector_append (v, (struct range) {
      .offset = offset, .length = length });
}

/* Sort [offset, end) of the disk into walk->set and walk->clear. */
static int
nbd_disk_walk (struct disk *disk, struct nbd_handle *h,
               const struct nbd_walk *walk, uint64_t offset, uint64_t end)
{
  while (offset < end) {
    struct nbd_status st;
    int r = nbd_disk_status (disk, h, walk->context, walk->mask, offset,
                             end - offset, &st);

    for (size_t i = 0; r == 0 && i < st.runs.len; i++) {
      const struct nbd_run *run = &st.runs.ptr[i];

      if (run->set)
        r = nbd_range_append (walk->set, walk->set_first, run->offset,
                              run->length);
      else if (walk->clear)
        r = nbd_range_append (walk->clear, walk->clear_first, run->offset,
                              run->length);
      offset = run->offset + run->length;
    }
    nbd_run_vector_reset (&st.runs);
    if (r == -1)
      return -1;
  }
  return 0;
}

/* Whether context is in use on h: the server agreed to it when h
 * connected (at_open), or it was asked for then (later); sets the error
 * if not. */
static int
nbd_disk_check_context (struct disk *disk, struct nbd_handle *h,
                        const char *context, bool at_open)
{
  switch (nbd_can_meta_context (h, context)) {
  case -1:
    error_set ("nbd: %s: %s: %s", disk->path, context, nbd_get_error ());
    return -1;
  case 0:
    if (at_open)
      error_set ("nbd: %s: the server does not export %s", disk->path,
                 context);
    else
      error_set ("nbd: %s: meta context %s was not asked for when the disk "
                 "was opened", disk->path, context);
    return -1;
  default:
    return 0;
  }
}

static struct nbd_disk *
nbd_disk_of (struct disk *disk)
{
  if (disk->driver != &disk_driver_nbd) {
    error_set ("%s: not a disk over NBD", disk->path);
    return NULL;
  }
  return disk->priv;
}

int
nbd_disk_context_extents (struct disk *disk, const char *context,
                          uint32_t mask, range_vector *out)
{
  struct nbd_disk *nd = nbd_disk_of (disk);
  struct nbd_walk walk = {
    .context = context,
    .mask = mask,
    .set = out,
    .set_first = out->len,
  };
  struct nbd_handle *h;
  int r = -1;

  if (nd == NULL)
    return -1;
  h = nbd_disk_take (nd);
  if (nbd_disk_check_context (disk, h, context, false) == 0)
    r = nbd_disk_walk (disk, h, &walk, 0, disk->size);
  nbd_disk_give_back (nd, h);
  return r;
}

int
nbd_disk_split_zero (struct disk *disk, const range_vector *ranges,
                     range_vector *data, range_vector *zero)
{
  struct nbd_disk *nd = nbd_disk_of (disk);
  struct nbd_walk walk = {
    .context = LIBNBD_CONTEXT_BASE_ALLOCATION,
    .mask = LIBNBD_STATE_ZERO,
    .set = zero,
    .set_first = zero->len,
    .clear = data,
    .clear_first = data->len,
  };
  struct nbd_handle *h;
  int r = 0;

  if (nd == NULL)
    return -1;
  h = nbd_disk_take (nd);
  for (size_t i = 0; r == 0 && i < ranges->len; i++) {
    const struct range *range = &ranges->ptr[i];

    r = disk_check_range (disk, range->offset, range->length);
    if (r == 0)
      r = nbd_disk_walk (disk, h, &walk, range->offset,
                         range->offset + range->length);
  }
  nbd_disk_give_back (nd, h);
  return r;
}

/* The disk's driver: reads and base:allocation. */

static void
nbd_disk_close (struct disk *disk)
{
  struct nbd_disk *nd = disk->priv;

  for (unsigned i = 0; i < nd->nr_handles; i++) {
    nbd_shutdown (nd->handles[i], 0);
    nbd_close (nd->handles[i]);
  }
  if (nd->cached)
    nbd_run_vector_reset (nd->cached);
  free (nd->cached);
  pthread_cond_destroy (&nd->given_back);
  pthread_mutex_destroy (&nd->lock);
  free (nd);
}

static int
nbd_disk_pread (struct disk *disk, void *buf, size_t count, uint64_t offset)
{
  struct nbd_disk *nd = disk->priv;
  struct nbd_handle *h = nbd_disk_take (nd);
  char *p = buf;
  int r = 0;

  while (count > 0) {
    size_t n = min_u64 (count, nd->request_max);

    if (nbd_pread (h, p, n, offset, 0) == -1) {
      error_set ("nbd: %s: reading %zu bytes at offset %" PRIu64 ": %s",
                 disk->path, n, offset, nbd_get_error ());
      r = -1;
      break;
    }
    p += n;
    offset += n;
    count -= n;
  }
  nbd_disk_give_back (nd, h);
  return r;
}

/* base:allocation: ZERO (with or without HOLE) reads as zeros, anything
 * else is data; a disk over NBD has no backing layer, so nothing is
 * unallocated. */
/* The answer for offset from the kept runs: 1 found, 0 not there. */
static int
nbd_disk_cached_status (struct nbd_disk *nd, uint64_t offset,
                        uint64_t length, struct extent *out)
{
  nbd_run_vector *runs = nd->cached;
  int found = 0;

  pthread_mutex_lock (&nd->lock);
  for (size_t i = 0; runs && i < runs->len; i++) {
    const struct nbd_run *run = &runs->ptr[i];
    if (offset >= run->offset && offset - run->offset < run->length) {
      out->offset = offset;
      out->length = min_u64 (run->offset + run->length - offset, length);
      out->type = run->set ? EXTENT_ZERO : EXTENT_DATA;
      found = 1;
      break;
    }
  }
  pthread_mutex_unlock (&nd->lock);
  return found;
}

static int
nbd_disk_block_status (struct disk *disk, uint64_t offset, uint64_t length,
                       struct extent *out)
{
  struct nbd_disk *nd = disk->priv;
  struct nbd_handle *h;
  struct nbd_status st;
  nbd_run_vector *keep;
  int r;

  if (nbd_disk_cached_status (nd, offset, length, out))
    return 0;
  h = nbd_disk_take (nd);
  r = nbd_disk_status (disk, h, LIBNBD_CONTEXT_BASE_ALLOCATION,
                       LIBNBD_STATE_ZERO, offset, NBD_DISK_STATUS_MAX, &st);
  nbd_disk_give_back (nd, h);
  if (r == 0) {
    out->offset = offset;
    out->length = min_u64 (st.runs.ptr[0].length, length);
    out->type = st.runs.ptr[0].set ? EXTENT_ZERO : EXTENT_DATA;
    /* Keep the whole answer for the next questions. */
    keep = malloc (sizeof *keep);
    if (keep) {
      *keep = st.runs;
      st.runs = (nbd_run_vector) empty_vector;
      pthread_mutex_lock (&nd->lock);
      if (nd->cached)
        nbd_run_vector_reset (nd->cached);
      free (nd->cached);
      nd->cached = keep;
      pthread_mutex_unlock (&nd->lock);
    }
  }
  nbd_run_vector_reset (&st.runs);
  return r;
}

const struct disk_driver disk_driver_nbd = {
  .name = "nbd",
  .open = NULL,                  /* nbd_disk_open, not disk_open */
  .close = nbd_disk_close,
  .pread = nbd_disk_pread,
  .block_status = nbd_disk_block_status,
};

/* One more connection, with base:allocation and context negotiated, in
 * nd's pool. */
static int
nbd_disk_connect (struct disk *disk, const char *context)
{
  struct nbd_disk *nd = disk->priv;
  struct nbd_handle *h = nbd_create ();

  if (h == NULL) {
    error_set ("nbd: %s: creating a handle: %s", disk->path,
               nbd_get_error ());
    return -1;
  }
  nd->handles[nd->nr_handles++] = h;
  nd->idle[nd->nr_idle++] = h;
  if (nbd_add_meta_context (h, LIBNBD_CONTEXT_BASE_ALLOCATION) == -1
      || (context && nbd_add_meta_context (h, context) == -1)) {
    error_set ("nbd: %s: asking for meta contexts: %s", disk->path,
               nbd_get_error ());
    return -1;
  }
  if (nbd_connect_uri (h, disk->path) == -1) {
    error_set ("nbd: %s: connecting: %s", disk->path, nbd_get_error ());
    return -1;
  }
  if (nbd_disk_check_context (disk, h, LIBNBD_CONTEXT_BASE_ALLOCATION,
                              true) == -1
      || (context && nbd_disk_check_context (disk, h, context, true) == -1))
    return -1;
  return 0;
}

struct disk *
nbd_disk_open (const char *uri, const char *context)
{
  struct disk *disk = disk_new (&disk_driver_nbd, uri);
  struct nbd_disk *nd;
  struct nbd_handle *h;
  int64_t size, max;
  int multi_conn;

  if (disk == NULL)
    return NULL;
  nd = calloc (1, sizeof *nd);
  if (nd == NULL) {
    error_set_errno (errno, "nbd: %s: calloc", uri);
    goto fail;
  }
  pthread_mutex_init (&nd->lock, NULL);
  pthread_cond_init (&nd->given_back, NULL);
  disk->priv = nd;

  if (nbd_disk_connect (disk, context) == -1)
    goto fail;
  h = nd->handles[0];
  size = nbd_get_size (h);
  max = nbd_get_block_size (h, LIBNBD_SIZE_MAXIMUM);
  multi_conn = nbd_can_multi_conn (h);
  if (size == -1 || max == -1 || multi_conn == -1) {
    error_set ("nbd: %s: reading the export's size and limits: %s", uri,
               nbd_get_error ());
    goto fail;
  }
  disk->size = size;
  nd->request_max = max > 0 ? min_u64 (max, NBD_DISK_REQUEST_MAX)
                            : NBD_DISK_REQUEST_MAX;
  /* Without multi-conn, connections might see different data. */
  while (multi_conn && nd->nr_handles < NBD_DISK_CONNECTIONS)
    if (nbd_disk_connect (disk, context) == -1)
      goto fail;
  log_debug ("opened %s over NBD, size %" PRIu64 ", connections %u, reads "
             "of at most %" PRIu64 " bytes", uri, disk->size,
             nd->nr_handles, nd->request_max);
  return disk;

fail:
  disk_close (disk);
  return NULL;
}
