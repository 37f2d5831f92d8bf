/* With a storage mapping, a disk whose datastore has neither an entry nor
 * a default is Critical; an entry or a default maps it; without any
 * storage mapping there is nothing to report. */
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
  valt_add_disk (&vm, "data.img", 16 * MiB, 0);
  free (vm.disks.ptr[1].datastore);
  vm.disks.ptr[1].datastore = valt_strdup ("san-ds=02");

  ctx.storage = valt_mapping ("datastore1=default", NULL);
  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "storage-unmapped", FINDING_CRITICAL, 1, -1,
                    "disk 1 (scsi0:1) on datastore 'san-ds=02'");
  CHECK (strstr (f.ptr[0].message, "--map-storage 'san-ds=02=POOL'"));

  ctx.storage = valt_mapping ("datastore1=default", "san-ds=02=fast", NULL);
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  ctx.storage = valt_mapping ("*=default", NULL);
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  ctx.storage = NULL;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
