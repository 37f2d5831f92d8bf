/* A resync (copy_options.compare) into a target that holds an earlier
 * copy writes exactly the blocks that differ and leaves the target equal
 * to the source.  The expectations come from how the two images are built
 * here: the earlier copy differs from the source in two 4 KiB data blocks,
 * one block the source has since zeroed, and one MiB of data where the
 * source now has a hole. */
#include <string.h>
#include <unistd.h>

#include "copy/copy.h"
#include "test.h"

#define SIZE (200ull << 20)
#define MiB (1ull << 20)

/* Every byte of a and b equal (read back, not through the mover). */
static bool
same_bytes (struct disk *a, struct disk *b)
{
  static char x[1 << 20], y[1 << 20];

  for (uint64_t off = 0; off < SIZE; off += sizeof x) {
    if (disk_pread (a, x, sizeof x, off) == -1
        || disk_pread (b, y, sizeof y, off) == -1)
      FAIL ("reading at %llu: %s", (unsigned long long) off,
            error_message ());
    if (memcmp (x, y, sizeof x) != 0)
      return false;
  }
  return true;
}

int
main (void)
{
  char dir[] = "/tmp/ferry-test-XXXXXX";
  char src_path[64], dst_path[64];
  static char buf[1 << 20];
  struct disk_create_options opts = { .size = SIZE };
  struct copy_options copy = { .workers = 3 };
  struct copy_stats stats = { 0 };
  struct disk *src, *dst;
  char block[4096];

  CHECK (mkdtemp (dir) != NULL);
  snprintf (src_path, sizeof src_path, "%s/src.raw", dir);
  snprintf (dst_path, sizeof dst_path, "%s/dst.raw", dir);
  CHECK (disk_create ("raw", src_path, &opts) == 0);
  CHECK (disk_create ("raw", dst_path, &opts) == 0);
  src = disk_open (src_path, NULL, DISK_OPEN_WRITE);
  dst = disk_open (dst_path, NULL, DISK_OPEN_WRITE);
  CHECK (src != NULL && dst != NULL);

  /* Both: 1 MiB at 0 and 1 MiB at 70 MiB (across a work range). */
  for (size_t i = 0; i < sizeof buf; i++)
    buf[i] = (char) (i * 7 + 1);
  CHECK (disk_pwrite (src, buf, sizeof buf, 0) == 0);
  CHECK (disk_pwrite (dst, buf, sizeof buf, 0) == 0);
  CHECK (disk_pwrite (src, buf, sizeof buf, 70 * MiB - 8192) == 0);
  CHECK (disk_pwrite (dst, buf, sizeof buf, 70 * MiB - 8192) == 0);
  /* The source changed since: two blocks rewritten, one zeroed. */
  memset (block, 0x5a, sizeof block);
  CHECK (disk_pwrite (src, block, sizeof block, 8192) == 0);
  CHECK (disk_pwrite (src, block, sizeof block, 70 * MiB + 4096) == 0);
  memset (block, 0, sizeof block);
  CHECK (disk_pwrite (src, block, sizeof block, 512 * 1024) == 0);
  /* The earlier copy holds data where the source is now a hole. */
  CHECK (disk_pwrite (dst, buf, sizeof buf, 150 * MiB) == 0);
  CHECK (!same_bytes (src, dst));

  /* compare needs a target that is not known to be zeros */
  copy.compare = copy.target_is_zero = true;
  CHECK (copy_disk (src, dst, &copy, &stats) == -1);
  CHECK (strstr (error_message (), "comparing") != NULL);

  copy.target_is_zero = false;
  CHECK (copy_disk (src, dst, &copy, &stats) == 0);
  CHECK (same_bytes (src, dst));
  CHECK (stats.bytes_read == 2 * MiB);
  CHECK (stats.bytes_written == 2 * 4096);
  CHECK (stats.bytes_same == 2 * MiB - 3 * 4096);

  /* Again: nothing differs, nothing is written. */
  CHECK (copy_disk (src, dst, &copy, &stats) == 0);
  CHECK (stats.bytes_written == 0 && stats.bytes_same == 2 * MiB);
  CHECK (same_bytes (src, dst));

  disk_close (src);
  disk_close (dst);
  unlink (src_path);
  unlink (dst_path);
  rmdir (dir);
  return 0;
}
