/* Block status and reads of a differencing chain from several threads at
 * once (sharing the bitmap cache, which is smaller than the number of
 * blocks) all see the right bytes. */
#include <pthread.h>

#include "vhdtest.h"

#define SIZE (8u << 20)
#define BLOCK (4096u)
#define THREADS 8

static uint8_t model[SIZE];
static struct disk *d;

static void *
worker (void *arg)
{
  unsigned seed = (unsigned) (uintptr_t) arg;
  uint64_t x = seed * 2654435761u + 1;
  static __thread uint8_t buf[3 * BLOCK + 1000];

  for (int i = 0; i < 2000; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t off = (x >> 16) % (SIZE - sizeof buf);
    size_t len = 1 + (x >> 40) % sizeof buf;
    if (disk_pread (d, buf, len, off) == -1)
      return (void *) "disk_pread failed";
    if (memcmp (buf, model + off, len) != 0)
      return (void *) "wrong bytes";
  }
  return NULL;
}

int
main (void)
{
  uint8_t uuid[16], sector[512];
  pthread_t t[THREADS];
  struct vhdgen *g;

  test_init (false);
  vhdgen_uuid (1, uuid);
  g = vhdgen_new (VHDGEN_DYNAMIC, SIZE, 1 << 20);
  vhdgen_set_uuid (g, uuid);
  test_fill_pattern (model, SIZE, 1);
  vhdgen_write (g, 0, model, SIZE);
  vhdgen_save (g, "base.vhd");
  vhdgen_free (g);

  /* small blocks, so that there are many more bitmaps than cache slots */
  g = vhdgen_new (VHDGEN_DIFFERENCING, SIZE, BLOCK);
  vhdgen_set_parent (g, uuid, "base.vhd");
  for (uint64_t s = 0; s < SIZE / 512; s += 3 + s % 5) {
    test_fill_pattern (sector, 512, 1000 + s);
    vhdgen_write (g, s * 512, sector, 512);
    memcpy (model + s * 512, sector, 512);
  }
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);

  d = test_open ("child.vhd");
  for (uintptr_t i = 0; i < THREADS; i++)
    CHECK (pthread_create (&t[i], NULL, worker, (void *) i) == 0);
  for (int i = 0; i < THREADS; i++) {
    void *r;
    CHECK (pthread_join (t[i], &r) == 0);
    if (r)
      FAIL ("thread %d: %s: %s", i, (char *) r, error_message ());
  }
  disk_close (d);
  return 0;
}
