/* A plain VM (BIOS Linux, one sparse disk whose chain opens, one NIC whose
 * network is mapped, CBT on) has no finding at all: not cold, not warm,
 * not with a storage mapping and plenty of free space, not with a default
 * network mapping instead of an entry. */
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
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);
  CHECK (!validate_blocks (&f));

  ctx.warm = true;
  ctx.storage = valt_mapping ("datastore1=default", NULL);
  ctx.target_free_bytes = INT64_C (1) << 40;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  ctx.target_format = "raw";
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  ctx.networks = valt_mapping ("*=br0", NULL);
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
