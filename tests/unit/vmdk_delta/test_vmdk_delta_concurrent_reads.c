/* Threads reading a COWD-over-seSparse chain at once (sharing the GT
 * caches, which hold far fewer GTs than the disk has) all see the right
 * bytes. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "deltagen.h"

#define SECTORS (160 * 1024)       /* 80 MiB: 5 seSparse GTs, 40 COWD GTs */
#define THREADS 8
#define READS 300

static struct disk *disk;
static uint8_t *expected;

static void *
reader (void *arg)
{
  uint64_t x = (uintptr_t) arg * 2654435761u + 1;
  uint8_t *buf = malloc (256 * 1024);

  CHECK (buf != NULL);
  for (int i = 0; i < READS; i++) {
    uint64_t off, len;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    off = x % ((uint64_t) SECTORS * 512);
    len = 1 + (x >> 40) % (256 * 1024);
    if (off + len > (uint64_t) SECTORS * 512)
      len = (uint64_t) SECTORS * 512 - off;
    if (disk_pread (disk, buf, len, off) == -1)
      FAIL ("disk_pread: %s", error_message ());
    if (memcmp (buf, expected + off, len) != 0)
      FAIL ("wrong bytes at %llu+%llu", (unsigned long long) off,
            (unsigned long long) len);
  }
  free (buf);
  return NULL;
}

int
main (void)
{
  struct dg_delta *s, *c;
  uint8_t *parent, *mid;
  size_t len;
  pthread_t t[THREADS];

  test_init (false);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", SECTORS, 0xfeed, 9);
  s = dg_new (DG_SESPARSE, SECTORS, 8);
  for (uint64_t g = 0; g < s->n_grains; g += 37)
    dg_set (s, g, 5, g % 3 ? DG_DATA : DG_ZERO, g);
  dg_write_delta (s, "s1.vmdk", "s1-sesparse.vmdk", "base.vmdk", 0x1, 0xfeed);
  c = dg_new (DG_COWD, SECTORS, 1);
  for (uint64_t g = 0; g < c->n_grains; g += 301)
    dg_set (c, g, 17, DG_DATA, g + 1);
  dg_write_delta (c, "s2.vmdk", "s2-delta.vmdk", "s1.vmdk", 0x2, 0x1);

  parent = test_read_file ("base-flat.vmdk", &len);
  mid = malloc (len);
  expected = malloc (len);
  CHECK (mid != NULL && expected != NULL);
  dg_expected (s, parent, mid);
  dg_expected (c, mid, expected);

  disk = test_open ("s2.vmdk");
  for (uintptr_t i = 0; i < THREADS; i++)
    CHECK (pthread_create (&t[i], NULL, reader, (void *) i) == 0);
  for (int i = 0; i < THREADS; i++)
    CHECK (pthread_join (t[i], NULL) == 0);
  disk_close (disk);
  dg_free (s);
  dg_free (c);
  free (parent);
  free (mid);
  free (expected);
  return 0;
}
