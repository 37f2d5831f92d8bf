/* A disk whose chain opens but holds 0 bytes is Critical. */
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
  valt_write_image ("web01.img", 0, 0);
  vm.disks.ptr[0].capacity = 0;

  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-capacity-invalid", FINDING_CRITICAL, 0, -1,
                    "disk 0 (scsi0:0): the image chain's size is 0 bytes");

  /* Nor does the space rule count (or divide by) an empty disk. */
  ctx.target_free_bytes = 0;
  valt_run (&vm, &ctx, &f);
  CHECK (f.len == 1 && valt_count (&f, "disk-capacity-invalid") == 1);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
