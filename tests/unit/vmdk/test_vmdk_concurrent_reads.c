/* pread and block status from several threads at once (the grain table
 * and grain caches are shared) return the same bytes as qemu-img. */
#include <pthread.h>

#include "vmdktest.h"

#define THREADS 8
#define DISK_SIZE (32 << 20)

static struct disk *disk;
static uint8_t *expected;
static int failures;

static void *
worker (void *arg)
{
  unsigned seed = (unsigned) (uintptr_t) arg;
  static _Thread_local uint8_t buf[256 << 10];

  for (int i = 0; i < 400; i++) {
    uint64_t off = (uint64_t) rand_r (&seed) % DISK_SIZE;
    size_t len = 1 + (size_t) rand_r (&seed) % sizeof buf;

    if (off + len > DISK_SIZE)
      len = DISK_SIZE - off;
    if (disk_pread (disk, buf, len, off) == -1
        || memcmp (buf, expected + off, len) != 0)
      __atomic_add_fetch (&failures, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

static void
run (const char *name)
{
  pthread_t threads[THREADS];

  test_run ("qemu-img convert -O raw %s expected.raw", name);
  test_read_at ("expected.raw", 0, expected, DISK_SIZE);
  disk = test_open (name);
  for (uintptr_t i = 0; i < THREADS; i++)
    CHECK (pthread_create (&threads[i], NULL, worker, (void *) (i + 1)) == 0);
  for (int i = 0; i < THREADS; i++)
    pthread_join (threads[i], NULL);
  disk_close (disk);
  if (failures)
    FAIL ("%s: %d concurrent reads returned wrong bytes or failed", name,
          failures);
}

int
main (void)
{
  test_init (true);
  expected = malloc (DISK_SIZE);
  CHECK (expected != NULL);
  test_run ("qemu-img create -f qcow2 src.qcow2 32M");
  test_run ("for i in $(seq 0 40); do "
          "echo \"write -P $(((i * 7 + 1) %% 256)) $((i * 777))k 300k\"; done "
          "| qemu-io -f qcow2 src.qcow2");
  test_run ("qemu-img convert -O vmdk -o subformat=streamOptimized src.qcow2 "
          "s.vmdk");
  test_run ("qemu-img convert -O vmdk src.qcow2 m.vmdk");
  run ("s.vmdk");
  run ("m.vmdk");
  free (expected);
  return 0;
}
