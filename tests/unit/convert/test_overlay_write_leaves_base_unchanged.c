/* test_overlay_write_leaves_base_unchanged: writes and zeros go into the
 * overlay only; the base's file is byte for byte as before, the overlay
 * passes qemu-img check and reads (through qemu) as base plus changes. */
#include "overlaytest.h"

int
main (int argc, char **argv)
{
  const char *format = argc > 1 ? argv[1] : "raw";
  const char *base;
  struct disk *d;
  char *path;

  test_init (true);
  base = ot_make_base (format);
  test_run ("cp %s base.orig", base);
  path = test_path (base);
  CHECK (overlay_create (path, format, test_printf ("%s/overlay.qcow2",
                                                    test_dir ())) == 0);
  free (path);
  test_run ("qemu-img check -q overlay.qcow2");
  /* The backing file is recorded absolute, with its format. */
  test_run ("qemu-img info --output=json overlay.qcow2 | grep -q "
            "'\"backing-filename\": \"%s/%s\"'", test_dir (), base);
  test_run ("qemu-img info --output=json overlay.qcow2 | grep -q "
            "'\"backing-filename-format\": \"%s\"'", format);
  test_run ("qemu-img info --output=json overlay.qcow2 | grep -q "
            "'\"compat\": \"1.1\"'");
  /* A fresh overlay reads as the base. */
  test_run ("qemu-img compare -q overlay.qcow2 %s", base);

  ot_change_overlay ();
  test_run ("cmp -s %s base.orig", base);
  test_run ("qemu-img check -q overlay.qcow2");
  test_run ("qemu-img compare -q overlay.qcow2 %s; test $? -eq 1", base);
  /* The zeroed clusters are zero clusters of the overlay itself. */
  path = test_path ("overlay.qcow2");
  d = disk_open (path, "qcow2", 0);
  CHECK (d != NULL);
  {
    struct extent e = test_status_at (d, OT_ZERO_OFFSET, OT_ZERO_LENGTH);
    CHECK (e.type == EXTENT_ZERO && e.depth == 0
           && e.length == OT_ZERO_LENGTH);
  }
  test_expect_bytes (d, OT_ZERO_OFFSET, OT_ZERO_LENGTH, 0);
  disk_close (d);
  free (path);

  /* Discarding leaves the base as it was. */
  CHECK (overlay_discard (test_printf ("%s/overlay.qcow2", test_dir ()))
         == 0);
  CHECK (access (test_printf ("%s/overlay.qcow2", test_dir ()), F_OK) == -1);
  test_run ("cmp -s %s base.orig", base);
  /* Discarding what is gone is not an error. */
  CHECK (overlay_discard (test_printf ("%s/overlay.qcow2", test_dir ()))
         == 0);
  return 0;
}
