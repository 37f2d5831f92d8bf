/* test_vhdx_concurrent_reads: eight threads reading a differencing chain
 * with many PARTIALLY_PRESENT blocks (more than the sector bitmap cache
 * holds) in different orders all get the bytes one thread gets alone. */
#include <pthread.h>
#include <string.h>

#include "vhdxtest.h"

#define BLOCKS 24
#define M (1 << 20)

static struct disk *disk;
static uint8_t *expect;

static void *
worker (void *arg)
{
  unsigned id = (unsigned) (uintptr_t) arg;
  uint8_t *buf = malloc (3 * 4096);

  for (unsigned round = 0; round < 200; round++) {
    uint64_t off = ((round * 7919u + id * 104729u) % (BLOCKS * 256 - 3))
                   * 4096ULL;
    if (disk_pread (disk, buf, 3 * 4096, off) == -1
        || memcmp (buf, expect + off, 3 * 4096) != 0) {
      free (buf);
      return (void *) 1;
    }
  }
  free (buf);
  return NULL;
}

int
main (void)
{
  struct vhdxgen_options o;
  struct vhdxgen *g;
  pthread_t t[8];

  test_init (false);
  vx_make_parent ("parent.vhdx", BLOCKS * M, 512);
  o = vx_child_options (BLOCKS * M, 512, "parent.vhdx");
  g = vhdxgen_new (&o);
  for (unsigned b = 0; b < BLOCKS; b++)
    for (unsigned s = b % 5; s < 2048; s += 3 + b % 4)
      vhdxgen_fill (g, (uint64_t) b * M + s * 512, 512, 0x80 + b);
  vhdxgen_save (g, "child.avhdx");
  vhdxgen_free (g);

  disk = test_open ("child.avhdx");
  expect = malloc (BLOCKS * M);
  CHECK (expect && disk_pread (disk, expect, BLOCKS * M, 0) == 0);
  disk_close (disk);
  disk = test_open ("child.avhdx");
  for (uintptr_t i = 0; i < 8; i++)
    CHECK (pthread_create (&t[i], NULL, worker, (void *) i) == 0);
  for (int i = 0; i < 8; i++) {
    void *r;
    pthread_join (t[i], &r);
    CHECK (r == NULL);
  }
  disk_close (disk);
  free (expect);
  return 0;
}
