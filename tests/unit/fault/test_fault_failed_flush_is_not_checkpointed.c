/* test_fault_failed_flush_is_not_checkpointed: when fdatasync fails (EIO)
 * the copy stops with an error naming the target, and no range written
 * before the failed sync is ever handed to the checkpoint callback: after
 * the copy fails, the image is closed (qcow2 flushes on close) and the
 * machine crashes, every recorded range still reads as the source, and a
 * qcow2 target passes qemu-img check.
 *
 * For every sync N the copy makes, into raw and into qcow2: the Nth sync
 * fails once (the next one succeeds, as Linux reports a writeback error
 * once) and, separately, every sync from the Nth on fails. */
#include <string.h>

#include "faulttest.h"

static int
record (void *opaque, const struct range *done, size_t n)
{
  range_vector *v = opaque;

  for (size_t i = 0; i < n; i++)
    CHECK (range_vector_append (v, done[i]) == 0);
  return 0;
}

/* Returns false when the copy made fewer than nth syncs. */
static bool
fail_sync (const char *format, unsigned long nth, unsigned long count)
{
  range_vector rec = empty_vector;
  struct copy_options opts = {
    .workers = 2, .request_size = 256 << 10, .target_is_zero = true,
    .checkpoint = record, .checkpoint_interval = 1e-9, .opaque = &rec,
  };
  char *name = test_printf ("dst.%s", format);
  char *path = test_path (name);
  struct disk *src = test_open ("src.raw"), *dst;
  bool reached;
  int r;

  unlink (path);
  ft_make_target (format, name, src->size);
  dst = disk_open (path, format, DISK_OPEN_WRITE);
  CHECK (dst != NULL);
  fault_enable ();
  fault_fail (FAULT_SYNC, nth, count, EIO);
  r = copy_disk (src, dst, &opts, NULL);
  reached = fault_count (FAULT_SYNC) >= nth;
  if (reached) {
    if (r != -1)
      FAIL ("%s: sync %lu failed but the copy succeeded", format, nth);
    if (strstr (error_message (), path) == NULL
        || strstr (error_message (), "Input/output error") == NULL)
      FAIL ("%s: the message does not name the file and the cause: %s",
            format, error_message ());
  }
  disk_close (dst);
  fault_crash ();
  fault_disable ();
  ft_check_recorded (format, "src.raw", name, &rec, nth);
  if (strcmp (format, "qcow2") == 0)
    ft_qemu_check (name, nth);
  range_vector_reset (&rec);
  disk_close (src);
  free (path);
  return reached;
}

int
main (void)
{
  const char *formats[] = { "raw", "qcow2" };

  test_init (true);
  ft_make_source ("src.raw", 4, 3);
  for (size_t f = 0; f < 2; f++) {
    unsigned long nth;
    /* Two workers: the number of syncs may differ from run to run. */
    for (nth = 1; fail_sync (formats[f], nth, 1)
                  | fail_sync (formats[f], nth, 0); nth++)
      ;
    CHECK (nth > 2);            /* a checkpoint, and the final flush */
  }
  return 0;
}
