/* The mover copies data exactly, keeps holes and all-zero blocks out of
 * the target, and compare sees equal and different content. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy/copy.h"
#include "test.h"

#define SIZE (200ull << 20)

int
main (void)
{
  char dir[] = "/tmp/ferry-test-XXXXXX";
  char src_path[64], dst_path[64];
  static char buf[1 << 20];
  struct disk_create_options opts = { .size = SIZE };
  struct copy_options copy = { .target_is_zero = true, .workers = 3 };
  struct copy_stats stats;
  struct disk *src, *dst;
  struct stat st;
  uint64_t diff;

  CHECK (mkdtemp (dir) != NULL);
  snprintf (src_path, sizeof src_path, "%s/src.raw", dir);
  snprintf (dst_path, sizeof dst_path, "%s/dst.raw", dir);
  CHECK (disk_create ("raw", src_path, &opts) == 0);
  CHECK (disk_create ("raw", dst_path, &opts) == 0);

  src = disk_open (src_path, NULL, DISK_OPEN_WRITE);
  CHECK (src != NULL);
  /* data at 0, 70 MiB (crossing a work range) and the last byte;
   * an allocated but all-zero MiB at 100 MiB */
  for (size_t i = 0; i < sizeof buf; i++)
    buf[i] = (char) (i * 7 + 1);
  CHECK (disk_pwrite (src, buf, sizeof buf, 0) == 0);
  CHECK (disk_pwrite (src, buf, sizeof buf, (64ull << 20) - 4096) == 0);
  CHECK (disk_pwrite (src, buf, 1, SIZE - 1) == 0);
  memset (buf, 0, sizeof buf);
  CHECK (disk_pwrite (src, buf, sizeof buf, 100ull << 20) == 0);

  dst = disk_open (dst_path, NULL, DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  CHECK (copy_disk (src, dst, &copy, &stats) == 0);
  CHECK (stats.workers == 3);
  CHECK (stats.bytes_written < (3ull << 20) + 8192);
  CHECK (stats.bytes_read >= (3ull << 20));

  CHECK (copy_compare (src, dst, &diff) == 0);
  CHECK (fstat (dst->fd, &st) == 0);
  CHECK ((uint64_t) st.st_blocks * 512 < (4ull << 20));  /* stayed sparse */

  /* one byte different is found at its offset */
  buf[0] = 1;
  CHECK (disk_pwrite (dst, buf, 1, 150ull << 20) == 0);
  CHECK (copy_compare (src, dst, &diff) == 1);
  CHECK (diff == 150ull << 20);

  disk_close (src);
  disk_close (dst);
  unlink (src_path);
  unlink (dst_path);
  rmdir (dir);
  return 0;
}
