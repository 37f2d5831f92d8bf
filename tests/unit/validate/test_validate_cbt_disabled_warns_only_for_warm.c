/* CBT off is a Warning when a warm migration is planned and an Info for a
 * cold one; CBT on is nothing either way. */
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

  vm.cbt = false;
  ctx.warm = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "cbt-disabled", FINDING_WARNING, -1, -1,
                    "a warm migration needs it");

  ctx.warm = false;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "cbt-disabled", FINDING_INFO, -1, -1,
                    "no matter for a cold migration");
  CHECK (!validate_blocks (&f));

  vm.cbt = true;
  ctx.warm = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
