/* test_overlay_errors_name_the_file: an existing overlay is not
 * overwritten, a missing base, a base in a format ferry cannot write, an
 * image without a backing file and a base whose size changed are refused
 * with a message naming the file; the base is untouched each time. */
#include <errno.h>

#include "overlaytest.h"

static void
expect_error (int r, const char *want)
{
  if (r != -1)
    FAIL ("succeeded; expected an error containing \"%s\"", want);
  if (strstr (error_message (), want) == NULL)
    FAIL ("error \"%s\" does not contain \"%s\"", error_message (), want);
}

int
main (void)
{
  const char *overlay, *base;

  test_init (true);
  base = test_printf ("%s/%s", test_dir (), ot_make_base ("raw"));
  overlay = test_printf ("%s/overlay.qcow2", test_dir ());
  test_run ("cp base.raw base.orig");

  expect_error (overlay_create (test_printf ("%s/none.raw", test_dir ()),
                                NULL, overlay), "none.raw");
  CHECK (access (overlay, F_OK) == -1);

  CHECK (overlay_create (base, "raw", overlay) == 0);
  ot_change_overlay ();
  test_run ("cp overlay.qcow2 overlay.before");
  expect_error (overlay_create (base, "raw", overlay), "already exists");
  test_run ("cmp -s overlay.qcow2 overlay.before");

  /* The base grew since: nothing is written. */
  test_run ("truncate -s 8M base.raw");
  expect_error (overlay_commit (overlay), "base changed");
  CHECK (access (overlay, F_OK) == 0);
  test_run ("truncate -s 4M base.raw && cmp -s base.raw base.orig");

  test_run ("qemu-img create -q -f vmdk base.vmdk 4M");
  expect_error (overlay_create (test_printf ("%s/base.vmdk", test_dir ()),
                                NULL, test_printf ("%s/vmdk.qcow2",
                                                   test_dir ())),
                "base.vmdk is vmdk, which ferry cannot write");
  CHECK (access (test_printf ("%s/vmdk.qcow2", test_dir ()), F_OK) == -1);

  test_run ("qemu-img create -q -f qcow2 plain.qcow2 4M");
  expect_error (overlay_commit (test_printf ("%s/plain.qcow2", test_dir ())),
                "plain.qcow2: has no backing file");

  return 0;
}
