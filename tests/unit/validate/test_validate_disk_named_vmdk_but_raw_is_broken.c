/* A file named .vmdk whose content no driver recognises would be probed
 * as raw data and copied as garbage: it is reported as a broken chain.
 * A "-flat.vmdk" named directly is raw by design and accepted. */
#include "validatetest.h"

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;
  uint8_t junk[4096];

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();

  test_fill_pattern (junk, sizeof junk, 7);
  test_write_file ("web01_1.vmdk", junk, sizeof junk);
  valt_set_path (&vm, 0, "web01_1.vmdk");
  vm.disks.ptr[0].capacity = 0;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-chain-broken", FINDING_CRITICAL, 0, -1,
                    "is named like a vmdk image");

  test_run ("mv web01_1.vmdk web01-flat.vmdk");
  valt_set_path (&vm, 0, "web01-flat.vmdk");
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
