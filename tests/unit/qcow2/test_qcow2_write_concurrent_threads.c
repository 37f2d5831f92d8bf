/* test_qcow2_write_concurrent_threads: 4 threads writing disjoint
 * cluster-aligned 1-8 MiB chunks (some as zeros, with flushes in between)
 * give a clean, correct image. */
#include <pthread.h>

#include "qcow2test.h"

struct chunk {
  uint64_t off, len;
};

static struct chunk chunks[512];
static size_t n_chunks, next_chunk;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct disk *d;
static uint8_t *mirror;
static int failed;

static void *
worker_main (void *arg)
{
  (void) arg;
  for (;;) {
    size_t i;

    pthread_mutex_lock (&lock);
    i = next_chunk++;
    pthread_mutex_unlock (&lock);
    if (i >= n_chunks)
      break;
    if (i % 5 == 4) {
      if (disk_zero (d, chunks[i].off, chunks[i].len) == -1)
        failed = 1;
      continue;
    }
    test_fill_pattern (mirror + chunks[i].off, chunks[i].len, i);
    if (disk_pwrite (d, mirror + chunks[i].off, chunks[i].len,
                     chunks[i].off) == -1)
      failed = 1;
    if (i % 9 == 0 && disk_flush (d) == -1)
      failed = 1;
  }
  return NULL;
}

int
main (void)
{
  const uint64_t size = 160ULL << 20, cs = 65536;
  pthread_t th[4];
  uint64_t x = 7;

  test_init (true);
  mirror = calloc (1, size);
  CHECK (mirror != NULL);
  qt_create ("mt.qcow2", size, cs);
  for (uint64_t off = 0; off < size; n_chunks++) {
    uint64_t len;

    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    len = ((x >> 33) % 8 + 1) << 20;
    if (off + len > size)
      len = size - off;
    chunks[n_chunks] = (struct chunk) { off, len };
    off += len;
  }
  d = qt_open_write ("mt.qcow2");
  for (int i = 0; i < 4; i++)
    CHECK (pthread_create (&th[i], NULL, worker_main, NULL) == 0);
  for (int i = 0; i < 4; i++)
    pthread_join (th[i], NULL);
  if (failed)
    FAIL ("a writer failed");
  disk_close (d);
  /* zeroed chunks were never written: mirror has zeros there */
  qt_verify_written ("mt.qcow2", mirror, size);
  free (mirror);
  return 0;
}
