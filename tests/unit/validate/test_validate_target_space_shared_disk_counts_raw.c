/* A shared disk stays raw even when the target format is qcow2, so the
 * space rule sizes it as a sparse raw file, and warns when only a fully
 * allocated copy would not fit; disks whose chain is broken are left out
 * of the sum and the message says so. */
#include "validatetest.h"

#define QCOW2_NEEDED (1 * MiB + 6 * 65536)

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();
  valt_add_disk (&vm, "quorum.img", 16 * MiB, 64 * 1024);
  vm.disks.ptr[1].shared = true;

  ctx.target_free_bytes = QCOW2_NEEDED + 64 * 1024 + 1 * MiB;
  valt_run (&vm, &ctx, &f);
  CHECK (f.len == 2 && valt_count (&f, "disk-shared") == 1);
  CHECK (strcmp (f.ptr[1].rule, "target-space") == 0);
  CHECK (f.ptr[1].severity == FINDING_WARNING);

  ctx.target_free_bytes = QCOW2_NEEDED + 64 * 1024 - 1;
  valt_run (&vm, &ctx, &f);
  CHECK (f.len == 2 && strcmp (f.ptr[1].rule, "target-space") == 0);
  CHECK (f.ptr[1].severity == FINDING_CRITICAL);
  CHECK (strstr (f.ptr[1].message, "as qcow2 (shared disks raw)"));

  /* A third disk that cannot be opened is not counted. */
  valt_add_disk (&vm, "gone.img", 16 * MiB, 0);
  test_run ("rm gone.img");
  valt_run (&vm, &ctx, &f);
  CHECK (valt_count (&f, "disk-chain-broken") == 1);
  CHECK (strcmp (f.ptr[f.len - 1].rule, "target-space") == 0);
  CHECK (strstr (f.ptr[f.len - 1].message, "1 disk(s) not counted"));

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
