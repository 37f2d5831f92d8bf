/* test_qcow2_create_with_backing: create records the backing file and its format; qemu-img agrees and ferry reads the chain. */
#include "helpers.h"

int
main (void)
{
  const char *base, *top;
  struct disk_create_options o = { .size = 2 << 20, .backing_file = "base.raw", .backing_format = "raw" };
  struct disk *d;

  test_init ();
  base = tpath ("base.raw");
  top = tpath ("top.qcow2");
  RUN ("qemu-img create -q -f raw '%s' 2M", base);
  RUN ("qemu-io -f raw -c 'write -P 0x77 0 2M' '%s' >/dev/null", base);
  CHECK (disk_create ("qcow2", top, &o) == 0);
  CHECK (qemu_img_check (top) == 0);
  RUN ("qemu-img info --output=json '%s' | grep -q '\"backing-filename-format\": \"raw\"'", top);
  RUN ("qemu-img info --output=json '%s' | grep -q '\"backing-filename\": \"base.raw\"'", top);
  d = disk_open (top, NULL, 0);
  CHECK (d != NULL && d->backing != NULL);
  CHECK (strcmp (d->backing_format, "raw") == 0);
  disk_close (d);
  compare_with_qemu (top);

  /* Without a format: no extension, the generic layer probes. */
  o.backing_format = NULL;
  CHECK (disk_create ("qcow2", top, &o) == 0);
  CHECK (qemu_img_check (top) == 0);
  d = disk_open (top, NULL, 0);
  CHECK (d != NULL && d->backing_format == NULL && d->backing != NULL);
  disk_close (d);
  return 0;
}
