/* test_qcow2_read_concurrent_threads: pread and block_status from several
 * threads at once, with the L2 cache evicting, return the right bytes. */
#include <pthread.h>

#include "qcow2test.h"

struct worker {
  struct disk *d;
  const uint8_t *expect;
  size_t len;
  unsigned seed;
  int failed;
};

static void *
worker_main (void *arg)
{
  struct worker *w = arg;
  uint8_t *buf = malloc (1 << 20);
  unsigned x = w->seed;

  for (int i = 0; i < 300 && !w->failed && buf; i++) {
    uint64_t off, len;
    struct extent e;

    x = x * 1103515245 + 12345;
    off = (x >> 4) % w->len;
    x = x * 1103515245 + 12345;
    len = 1 + (x >> 4) % (1 << 20);
    if (off + len > w->len)
      len = w->len - off;
    if (disk_pread (w->d, buf, len, off) == -1
        || memcmp (buf, w->expect + off, len) != 0)
      w->failed = 1;
    if (disk_block_status (w->d, off, len, &e) == -1)
      w->failed = 1;
  }
  free (buf);
  return NULL;
}

int
main (void)
{
  size_t ref_len;
  uint8_t *expect;
  struct disk *d;
  pthread_t th[4];
  struct worker w[4];

  test_init (true);
  /* 512-byte clusters: 32 KiB per L2 table, so 64 MiB needs 2048 tables,
   * more than the cache holds. */
  test_run ("head -c 64M /dev/urandom > ref.raw");
  test_run ("qemu-io -f raw -c 'write -z 1M 3M' -c 'write -z 40M 5M' ref.raw >/dev/null");
  test_run ("qemu-img convert -f raw -O qcow2 -o cluster_size=512 ref.raw test.qcow2");
  expect = test_read_file ("ref.raw", &ref_len);
  d = test_open ("test.qcow2");
  for (int i = 0; i < 4; i++) {
    w[i] = (struct worker) { d, expect, ref_len, 17 * i + 1, 0 };
    CHECK (pthread_create (&th[i], NULL, worker_main, &w[i]) == 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join (th[i], NULL);
    if (w[i].failed)
      FAIL ("thread %d read wrong data or failed", i);
  }
  disk_close (d);
  free (expect);
  return 0;
}
