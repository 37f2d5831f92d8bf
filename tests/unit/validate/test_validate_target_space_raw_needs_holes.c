/* For raw targets the need is the data (files stay sparse); when only the
 * fully allocated size would not fit, the rule warns that the target file
 * system must keep holes.  Less free than the data is Critical. */
#include "validatetest.h"

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();
  ctx.target_format = "raw";

  ctx.target_free_bytes = 64 * MiB;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  ctx.target_free_bytes = 1 * MiB;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "target-space", FINDING_WARNING, -1, -1,
                    "hold about 1.0 MiB of data but are 64.0 MiB as fully "
                    "allocated raw files");
  CHECK (strstr (f.ptr[0].message, "keeps holes"));

  ctx.target_free_bytes = 1 * MiB - 1;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "target-space", FINDING_CRITICAL, -1, -1,
                    "(1048576 bytes) on the target as raw");

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
