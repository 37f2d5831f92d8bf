/* Opening an NBD disk that cannot be had fails with one clear message
 * naming the URI and why: no server on the socket, a bad URI, a dirty
 * bitmap the server does not export; asking for extents of a meta context
 * not asked for at open, or of a disk that is not over NBD, fails too. */
#include "nbdtest.h"

static void
expect_error (const char *what, const char *want1, const char *want2)
{
  if (strstr (error_message (), want1) == NULL
      || (want2 && strstr (error_message (), want2) == NULL))
    FAIL ("%s: message \"%s\" does not say \"%s\"%s%s", what,
          error_message (), want1, want2 ? " and " : "", want2 ? want2 : "");
  fprintf (stderr, "ok, refused: %s\n", error_message ());
}

int
main (void)
{
  range_vector got = empty_vector;
  const char *uri, *missing;
  struct disk *d;

  nt_init ();
  nt_make_image ();

  missing = test_printf ("nbd+unix:///?socket=%s/missing.sock", test_dir ());
  error_clear ();
  CHECK (nbd_disk_open (missing, NULL) == NULL);
  expect_error ("missing socket", test_printf ("nbd: %s: connecting: ",
                                               missing),
                "No such file or directory");

  error_clear ();
  CHECK (nbd_disk_open ("nbd+unix:///", NULL) == NULL);
  expect_error ("URI without a socket", "nbd: nbd+unix:///: connecting: ",
                NULL);

  uri = nt_serve_qemu ("nbd.sock", "test.qcow2", "b0");
  error_clear ();
  CHECK (nbd_disk_open (uri, "qemu:dirty-bitmap:nope") == NULL);
  expect_error ("missing bitmap",
                test_printf ("nbd: %s: the server does not export "
                             "qemu:dirty-bitmap:nope", uri), NULL);

  d = nt_open (uri, NULL);
  error_clear ();
  CHECK (nbd_disk_context_extents (d, "qemu:dirty-bitmap:b0", 1, &got)
         == -1);
  expect_error ("context not asked for",
                test_printf ("nbd: %s: meta context qemu:dirty-bitmap:b0 was "
                             "not asked for when the disk was opened", uri),
                NULL);
  CHECK (got.len == 0);
  disk_close (d);

  d = test_open ("test.qcow2");
  error_clear ();
  CHECK (nbd_disk_context_extents (d, "base:allocation", 2, &got) == -1);
  expect_error ("not an NBD disk", "not a disk over NBD", NULL);
  CHECK (nbd_disk_split_zero (d, &got, &got, &got) == -1);
  disk_close (d);
  return 0;
}
