/* test_qcow2_create_with_backing: create records the backing file and its format; qemu-img agrees and ferry reads the chain. */
#include "qcow2test.h"

int
main (void)
{
  struct disk_create_options o = { .size = 2 << 20, .backing_file = "base.raw", .backing_format = "raw" };
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -q -f raw base.raw 2M");
  test_run ("qemu-io -f raw -c 'write -P 0x77 0 2M' base.raw >/dev/null");
  CHECK (qt_create_with ("top.qcow2", &o) == 0);
  CHECK (qt_check ("top.qcow2") == 0);
  test_run ("qemu-img info --output=json top.qcow2 | grep -q '\"backing-filename-format\": \"raw\"'");
  test_run ("qemu-img info --output=json top.qcow2 | grep -q '\"backing-filename\": \"base.raw\"'");
  d = test_open ("top.qcow2");
  CHECK (d->backing != NULL);
  CHECK (strcmp (d->backing_format, "raw") == 0);
  disk_close (d);
  qt_compare_with_qemu ("top.qcow2");

  /* Without a format: no extension, the generic layer probes. */
  o.backing_format = NULL;
  CHECK (qt_create_with ("top.qcow2", &o) == 0);
  CHECK (qt_check ("top.qcow2") == 0);
  d = test_open ("top.qcow2");
  CHECK (d->backing_format == NULL && d->backing != NULL);
  disk_close (d);
  return 0;
}
