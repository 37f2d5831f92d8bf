/* With the target's free space known, the space rule sizes qcow2 images
 * from the chain's data extents (whole 64 KiB clusters) plus a bound on
 * qcow2 metadata, not from capacities or file sizes: the 64 MiB disk with
 * 1 MiB of data needs 1 MiB + 384 KiB.  One byte less free is Critical;
 * unknown free space (-1) skips the rule. */
#include "validatetest.h"

#define NEEDED (1 * MiB + 6 * 65536)

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();
  ctx.target_format = "qcow2";

  ctx.target_free_bytes = NEEDED;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  ctx.target_free_bytes = NEEDED - 1;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "target-space", FINDING_CRITICAL, -1, -1,
                    "the disks need about 1.4 MiB (1441792 bytes) on the "
                    "target as qcow2, but only 1.4 MiB is free");

  ctx.target_free_bytes = -1;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  /* A data extent not on a cluster boundary takes whole clusters. */
  valt_write_image ("web01.img", 64 * MiB, 4096);
  ctx.target_free_bytes = 65536 + 6 * 65536 - 1;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "target-space", FINDING_CRITICAL, -1, -1,
                    "(458752 bytes)");

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
