/* An seSparse delta whose volatile header asks for a journal replay (the
 * host crashed, or the copy was taken while the VM ran) may have stale
 * tables: ferry refuses it and says what to do.  qemu refuses it too. */
#include "deltagen.h"

int
main (void)
{
  struct dg_delta *d;

  test_init (true);
  dg_write_flat_parent ("base.vmdk", "base-flat.vmdk", 8192, 0x1, 1);
  d = dg_new (DG_SESPARSE, 8192, 8);
  dg_set (d, 0, 10, DG_DATA, 1);
  dg_write_delta (d, "snap.vmdk", "snap-sesparse.vmdk", "base.vmdk", 2, 1);
  test_compare_with_qemu ("snap.vmdk", NULL);      /* clean: fine */

  test_patch_le64 ("snap-sesparse.vmdk",
                   d->volatile_offset + DG_SE_VOLATILE_REPLAY, 1);
  test_expect_open_fails ("snap.vmdk", NULL, 0,
                          "seSparse journal needs replay: power the VM on "
                          "and off in ESXi, or consolidate");
  test_expect_open_fails ("snap-sesparse.vmdk", NULL, 0,
                          "journal needs replay");
  CHECK (test_run_status ("qemu-img convert -O raw snap.vmdk out.raw") != 0);

  dg_free (d);
  return 0;
}
