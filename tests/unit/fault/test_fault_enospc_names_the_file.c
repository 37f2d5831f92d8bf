/* test_fault_enospc_names_the_file: a full file system (ENOSPC from the
 * Nth pwrite on, for the first, a middle and the last pwrite of the copy,
 * or a short write and then ENOSPC, as Linux reports it) stops the copy
 * into raw and qcow2 with an error that names the target file and says
 * "No space left on device"; what the checkpoints recorded before is
 * still durable; a qcow2 target still passes qemu-img check.  Creating a
 * raw image on a full file system names the file too. */
#include <string.h>

#include "faulttest.h"

struct recorded {
  range_vector ranges;
};

static int
record (void *opaque, const struct range *done, size_t n)
{
  struct recorded *r = opaque;

  for (size_t i = 0; i < n; i++)
    CHECK (range_vector_append (&r->ranges, done[i]) == 0);
  return 0;
}

/* How many pwrite calls a copy into format makes. */
static unsigned long
count_writes (const char *format)
{
  struct copy_options opts = { .workers = 1, .request_size = 256 << 10,
                               .target_is_zero = true };
  char *name = test_printf ("dst.%s", format);
  char *path = test_path (name);
  struct disk *src = test_open ("src.raw"), *dst;
  unsigned long n;

  unlink (path);
  ft_make_target (format, name, src->size);
  dst = disk_open (path, format, DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  fault_enable ();
  CHECK (copy_disk (src, dst, &opts, NULL) == 0);
  disk_close (dst);
  n = fault_count (FAULT_PWRITE);
  fault_disable ();
  disk_close (src);
  free (path);
  return n;
}

static void
expect_enospc (const char *format, unsigned long nth, bool short_first)
{
  struct recorded rec = { .ranges = empty_vector };
  struct copy_options opts = {
    .workers = 1, .request_size = 256 << 10, .target_is_zero = true,
    .checkpoint = record, .checkpoint_interval = 1e-9, .opaque = &rec,
  };
  char *name = test_printf ("dst.%s", format);
  char *path = test_path (name);
  struct disk *src = test_open ("src.raw"), *dst;

  unlink (path);
  ft_make_target (format, name, src->size);
  dst = disk_open (path, format, DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  fault_enable ();
  if (short_first)
    fault_short_write (nth, 1, 1000);
  fault_fail (FAULT_PWRITE, short_first ? nth + 1 : nth, 0, ENOSPC);
  if (copy_disk (src, dst, &opts, NULL) != -1)
    FAIL ("%s: the copy succeeded although write %lu on failed", format,
          nth);
  if (strstr (error_message (), path) == NULL
      || strstr (error_message (), "No space left on device") == NULL)
    FAIL ("%s: the message does not name the file and the cause: %s",
          format, error_message ());
  disk_close (dst);
  fault_crash ();
  fault_disable ();
  ft_check_recorded (format, "src.raw", name, &rec.ranges, nth);
  if (strcmp (format, "qcow2") == 0)
    ft_qemu_check (name, nth);
  range_vector_reset (&rec.ranges);
  disk_close (src);
  free (path);
}

int
main (void)
{
  struct disk_create_options co = { .size = 1 << 20 };
  char *path;

  test_init (true);
  ft_make_source ("src.raw", 3, 3);
  for (size_t f = 0; f < 2; f++) {
    const char *format = f == 0 ? "raw" : "qcow2";
    unsigned long total = count_writes (format);

    CHECK (total >= 3);
    expect_enospc (format, 1, false);
    expect_enospc (format, total / 2, false);
    expect_enospc (format, total, false);
    expect_enospc (format, total / 2, true);
  }

  path = test_path ("new.raw");
  fault_enable ();
  fault_fail (FAULT_TRUNCATE, 1, 0, ENOSPC);
  CHECK (disk_create ("raw", path, &co) == -1);
  fault_disable ();
  CHECK (strstr (error_message (), path) != NULL);
  CHECK (strstr (error_message (), "No space left on device") != NULL);
  free (path);
  return 0;
}
