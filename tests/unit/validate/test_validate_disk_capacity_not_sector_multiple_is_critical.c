/* A disk whose chain's size is not whole 512-byte sectors (a qcow2 header
 * can say so; raw files are rounded up to sectors, as QEMU does) is
 * Critical, and the message gives the size to resize to. */
#include "validatetest.h"

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;
  struct disk_create_options o = { .size = 64 * MiB };
  char *path;

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();
  path = test_path ("odd.qcow2");
  if (disk_create ("qcow2", path, &o) == -1)
    FAIL ("disk_create: %s", error_message ());
  test_patch_be64 ("odd.qcow2", 24, 64 * MiB + 100);  /* header: size */
  free (vm.disks.ptr[0].path);
  vm.disks.ptr[0].path = path;
  vm.disks.ptr[0].capacity = 0;

  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "disk-capacity-invalid", FINDING_CRITICAL, 0, -1,
                    "the image chain's size, 67108964 bytes, is not a "
                    "multiple of 512");
  CHECK (strstr (f.ptr[0].message, "resize the image to 67109376 bytes"));

  test_patch_be64 ("odd.qcow2", 24, 64 * MiB + 512);
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
