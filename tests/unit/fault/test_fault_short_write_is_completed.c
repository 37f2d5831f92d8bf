/* test_fault_short_write_is_completed: a short write is carried on, never
 * taken for the whole: with every pwrite cut to 1000 or 4097 bytes the
 * written file, and raw and qcow2 images the mover wrote, hold exactly
 * what was asked.  A write that makes no progress at all (pwrite returns
 * 0) is an error naming the file, not an endless loop. */
#include <signal.h>
#include <string.h>

#include "faulttest.h"
#include "util/io.h"

static void
copy_with_short_writes (const char *format)
{
  struct copy_options opts = { .workers = 2, .request_size = 256 << 10,
                               .target_is_zero = true };
  char *name = test_printf ("dst.%s", format);
  char *path = test_path (name);
  struct disk *src = test_open ("src.raw"), *dst;

  ft_make_target (format, name, src->size);
  dst = disk_open (path, format, DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  fault_enable ();
  fault_short_write (1, 0, 4097);
  CHECK (copy_disk (src, dst, &opts, NULL) == 0);
  disk_close (dst);
  CHECK (fault_count (FAULT_PWRITE) > 0);
  fault_disable ();
  dst = disk_open (path, format, 0);
  CHECK (dst != NULL);
  CHECK (copy_compare (src, dst, NULL) == 0);
  disk_close (dst);
  disk_close (src);
  free (path);
}

int
main (void)
{
  uint8_t buf[10000], back[10000];
  char *path;
  int fd;

  alarm (30);                   /* a spinning write fails the test */
  test_init (false);
  path = test_path ("f");
  fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  CHECK (fd >= 0);
  test_fill_pattern (buf, sizeof buf, 7);

  fault_enable ();
  fault_short_write (1, 0, 1000);
  CHECK (io_pwrite_full (fd, buf, sizeof buf, 512, path) == 0);
  CHECK (fault_count (FAULT_PWRITE) == 10);
  test_read_at ("f", 512, back, sizeof back);
  CHECK (memcmp (buf, back, sizeof buf) == 0);

  fault_enable ();
  fault_short_write (1, 0, 0);
  CHECK (io_pwrite_full (fd, buf, sizeof buf, 0, path) == -1);
  CHECK (strstr (error_message (), path) != NULL);
  CHECK (strstr (error_message (), "wrote nothing") != NULL);
  fault_disable ();
  close (fd);
  free (path);

  ft_make_source ("src.raw", 2, 3);
  copy_with_short_writes ("raw");
  copy_with_short_writes ("qcow2");
  return 0;
}
