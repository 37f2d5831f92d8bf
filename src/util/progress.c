/* progress.c: see progress.h. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"
#include "util/progress.h"

#define TTY_INTERVAL_MS 200
#define LOG_INTERVAL_MS 5000

struct progress {
  char *label;
  uint64_t total;
  _Atomic uint64_t done;
  FILE *fp;
  bool tty;
  double start;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool stop;
};

static double
now_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *
progress_format_bytes (uint64_t bytes, char *buf, size_t len)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
  double v = bytes;
  size_t u = 0;

  while (v >= 1024 && u < sizeof units / sizeof units[0] - 1) {
    v /= 1024;
    u++;
  }
  if (u == 0)
    snprintf (buf, len, "%" PRIu64 " B", bytes);
  else
    snprintf (buf, len, "%.1f %s", v, units[u]);
  return buf;
}

static void
progress_draw (struct progress *p, bool final)
{
  char done_s[32], total_s[32], rate_s[32], eta_s[32];
  uint64_t done = atomic_load (&p->done);
  double elapsed = now_seconds () - p->start;
  double rate = elapsed > 0 ? done / elapsed : 0;
  double pct = p->total ? 100.0 * done / p->total : 100.0;

  progress_format_bytes (done, done_s, sizeof done_s);
  progress_format_bytes (p->total, total_s, sizeof total_s);
  progress_format_bytes ((uint64_t) rate, rate_s, sizeof rate_s);
  if (final)
    snprintf (eta_s, sizeof eta_s, "in %.1fs", elapsed);
  else if (rate > 0 && done < p->total) {
    uint64_t eta = (uint64_t) ((p->total - done) / rate);
    snprintf (eta_s, sizeof eta_s, "ETA %" PRIu64 ":%02" PRIu64, eta / 60,
              eta % 60);
  }
  else
    snprintf (eta_s, sizeof eta_s, "ETA --:--");

  if (p->tty) {
    char bar[31];
    int filled = (int) (pct * 30 / 100);
    for (int i = 0; i < 30; i++)
      bar[i] = i < filled ? '#' : '-';
    bar[30] = '\0';
    fprintf (p->fp, "\r%s [%s] %5.1f%% %s / %s  %s/s  %s\033[K", p->label,
             bar, pct, done_s, total_s, rate_s, eta_s);
    if (final)
      fputc ('\n', p->fp);
  }
  else
    fprintf (p->fp, "%s: %.1f%% %s / %s, %s/s, %s\n", p->label, pct, done_s,
             total_s, rate_s, eta_s);
  fflush (p->fp);
}

static void *
progress_thread (void *arg)
{
  struct progress *p = arg;
  long interval = p->tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS;

  pthread_mutex_lock (&p->lock);
  while (!p->stop) {
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    ts.tv_nsec += (interval % 1000) * 1000000L;
    ts.tv_sec += interval / 1000 + ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    if (pthread_cond_timedwait (&p->cond, &p->lock, &ts) == ETIMEDOUT
        && !p->stop)
      progress_draw (p, false);
  }
  pthread_mutex_unlock (&p->lock);
  return NULL;
}

struct progress *
progress_start (const char *label, uint64_t total, FILE *fp)
{
  struct progress *p = calloc (1, sizeof *p);
  int r;

  if (p == NULL || (p->label = strdup (label)) == NULL) {
    error_set_errno (errno, "progress");
    free (p);
    return NULL;
  }
  p->total = total;
  p->fp = fp;
  p->tty = isatty (fileno (fp));
  p->start = now_seconds ();
  pthread_mutex_init (&p->lock, NULL);
  pthread_cond_init (&p->cond, NULL);
  r = pthread_create (&p->thread, NULL, progress_thread, p);
  if (r != 0) {
    error_set_errno (r, "progress: pthread_create");
    free (p->label);
    free (p);
    return NULL;
  }
  return p;
}

void
progress_add (struct progress *p, uint64_t bytes)
{
  if (p)
    atomic_fetch_add (&p->done, bytes);
}

void
progress_finish (struct progress *p)
{
  if (p == NULL)
    return;
  pthread_mutex_lock (&p->lock);
  p->stop = true;
  pthread_cond_signal (&p->cond);
  pthread_mutex_unlock (&p->lock);
  pthread_join (p->thread, NULL);
  progress_draw (p, true);
  pthread_mutex_destroy (&p->lock);
  pthread_cond_destroy (&p->cond);
  free (p->label);
  free (p);
}
