/* Listed snapshots are one Warning (not one per snapshot) that says the
 * current state is copied and suggests consolidating. */
#include "validatetest.h"

static void
add_snapshot (struct vm *vm, const char *name, const char *uid)
{
  struct vm_snapshot s = { valt_strdup (name), valt_strdup (uid) };

  if (vm_snapshot_vector_append (&vm->snapshots, s) == -1)
    FAIL ("out of memory");
}

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();

  add_snapshot (&vm, "before upgrade", "1");
  add_snapshot (&vm, "after upgrade", "2");
  vm.current_snapshot = valt_strdup ("2");
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "snapshots-present", FINDING_WARNING, -1, -1,
                    "the VM has 2 snapshot(s)");
  CHECK (strstr (f.ptr[0].message, "consolidating"));

  vm_free (&vm);
  valt_base (&vm);
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
