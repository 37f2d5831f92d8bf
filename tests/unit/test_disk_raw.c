/* The raw driver reports holes as zero extents, reads back what was
 * written, and keeps zero writes sparse. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk/disk.h"
#include "test.h"

int
main (void)
{
  char dir[] = "/tmp/ferry-test-XXXXXX";
  char path[64], buf[65536], back[65536];
  struct disk_create_options opts = { .size = 4 << 20 };
  struct disk *d;
  struct extent e;

  CHECK (mkdtemp (dir) != NULL);
  snprintf (path, sizeof path, "%s/a.raw", dir);
  CHECK (disk_create ("raw", path, &opts) == 0);
  d = disk_open (path, NULL, DISK_OPEN_WRITE);
  CHECK (d != NULL);
  CHECK (strcmp (d->driver->name, "raw") == 0);
  CHECK (d->size == 4 << 20);

  /* fresh file: one zero extent */
  CHECK (disk_block_status (d, 0, d->size, &e) == 0);
  CHECK (e.type == EXTENT_ZERO && e.length == d->size && e.depth == 0);

  memset (buf, 0xab, sizeof buf);
  CHECK (disk_pwrite (d, buf, sizeof buf, 1 << 20) == 0);
  CHECK (disk_flush (d) == 0);
  CHECK (disk_block_status (d, 0, d->size, &e) == 0);
  CHECK (e.type == EXTENT_ZERO && e.length == 1 << 20);
  CHECK (disk_block_status (d, 1 << 20, d->size - (1 << 20), &e) == 0);
  CHECK (e.type == EXTENT_DATA && e.length >= sizeof buf);

  CHECK (disk_pread (d, back, sizeof back, 1 << 20) == 0);
  CHECK (memcmp (buf, back, sizeof buf) == 0);

  /* zeroing punches the data back out */
  CHECK (disk_zero (d, 1 << 20, sizeof buf) == 0);
  CHECK (disk_pread (d, back, sizeof back, 1 << 20) == 0);
  memset (buf, 0, sizeof buf);
  CHECK (memcmp (buf, back, sizeof buf) == 0);

  /* out-of-range requests are refused with a message */
  CHECK (disk_pread (d, back, sizeof back, d->size - 10) == -1);
  CHECK (strstr (error_message (), "past the end") != NULL);
  disk_close (d);

  /* read-only open refuses writes */
  d = disk_open (path, "raw", 0);
  CHECK (d != NULL);
  CHECK (disk_pwrite (d, buf, 512, 0) == -1);
  disk_close (d);

  unlink (path);
  rmdir (dir);
  return 0;
}
