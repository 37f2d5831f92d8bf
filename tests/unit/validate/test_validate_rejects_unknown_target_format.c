/* A target format other than qcow2 or raw is the caller's mistake, not a
 * finding: validate_vm fails with an error naming it and adds nothing. */
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
  ctx.target_format = "vmdk";

  error_clear ();
  CHECK (validate_vm (&vm, &ctx, &f) == -1);
  CHECK (strstr (error_message (), "target format 'vmdk' is not supported"));
  CHECK (f.len == 0);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
