/* A virtual TPM is a Warning: its contents (BitLocker keys, ...) are not
 * migrated. */
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

  vm.tpm = true;
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "tpm-present", FINDING_WARNING, -1, -1,
                    "contents are not migrated");
  CHECK (strstr (f.ptr[0].message, "BitLocker"));

  vm.tpm = false;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
