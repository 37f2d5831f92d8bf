/* A parent whose UUID is not the one the child was made on (replaced or
 * rebuilt) is refused, and the message names both UUIDs. */
#include "vhdtest.h"

int
main (void)
{
  struct vhdgen *g;
  char want[64];

  test_init (false);
  vhdtest_make_base ("base.vhd", 3);          /* UUID 3 */
  g = vhdtest_child_new (1, 2);               /* made on UUID 1 */
  vhdgen_add_locator (g, "W2ru", ".\\base.vhd");
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);
  test_expect_open_fails ("child.vhd", NULL, 0, "parent UUID mismatch");
  {
    uint8_t u[16];
    vhdgen_uuid (1, u);
    snprintf (want, sizeof want, "%02x%02x%02x%02x-%02x%02x", u[0], u[1],
              u[2], u[3], u[4], u[5]);
    test_expect_open_fails ("child.vhd", NULL, 0, want);
    vhdgen_uuid (3, u);
    snprintf (want, sizeof want, "%02x%02x%02x%02x-%02x%02x", u[0], u[1],
              u[2], u[3], u[4], u[5]);
    test_expect_open_fails ("child.vhd", NULL, 0, want);
  }
  /* opened alone, the child is fine */
  {
    char *p = test_path ("child.vhd");
    struct disk *d = disk_open (p, NULL, DISK_OPEN_NO_BACKING);
    CHECK (d != NULL);
    disk_close (d);
    free (p);
  }
  return 0;
}
