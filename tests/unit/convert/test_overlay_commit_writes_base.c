/* test_overlay_commit_writes_base: a commit puts every extent of the
 * overlay into the base (data, and zero clusters over base data), touches
 * nothing else, and removes the overlay; the base then reads as the
 * overlay did (qemu-img compare; ferry's digest).  Arguments: the base's
 * format, and who writes the changes: ferry's qcow2 driver or QEMU. */
#include "overlaytest.h"

int
main (int argc, char **argv)
{
  const char *format = argc > 1 ? argv[1] : "raw";
  const char *writer = argc > 2 ? argv[2] : "ferry";
  const char *base;
  struct disk *d;
  char *path;

  test_init (true);
  base = ot_make_base (format);
  path = test_path (base);
  CHECK (overlay_create (path, NULL, test_printf ("%s/overlay.qcow2",
                                                  test_dir ())) == 0);
  free (path);
  ot_change_overlay_by (writer);
  test_run ("qemu-img convert -O raw overlay.qcow2 view.raw");

  CHECK (overlay_commit (test_printf ("%s/overlay.qcow2", test_dir ()))
         == 0);
  ot_expect_committed (base, format);

  /* The oracle's view itself: the zero clusters hid base data, and a
   * range the overlay never held kept the base's bytes. */
  d = ot_open_base (base, format);
  test_expect_bytes (d, OT_ZERO_OFFSET, OT_ZERO_LENGTH, 0);
  test_expect_bytes (d, OT_ZERO_OFFSET + OT_ZERO_LENGTH, 4 * OT_CLUSTER
                     - OT_ZERO_LENGTH, 0x5a);
  test_expect_bytes (d, 4 * OT_CLUSTER, OT_CLUSTER, 0x77);
  disk_close (d);
  return 0;
}
