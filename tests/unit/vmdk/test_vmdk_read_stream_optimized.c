/* streamOptimized (compressed grains behind grain markers) made by
 * qemu-img convert reads like qemu-img reads it, including a final grain
 * cut short by a disk size that is not a multiple of the grain. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;
  json_t *info;
  json_t *ext;

  test_init (true);
  /* 10 MiB + 3 sectors: the last grain holds only 1536 bytes. */
  test_run ("qemu-img create -f qcow2 src.qcow2 10487296");
  test_run ("qemu-io -f qcow2 -c 'write -P 0xab 1M 64k' "
          "-c 'write -P 0xcd 5M 100k' -c 'write -P 0x5a 10485760 1536' "
          "src.qcow2");
  test_run ("qemu-img convert -O vmdk -o subformat=streamOptimized src.qcow2 "
          "d.vmdk");
  vt_compare_and_map_with_qemu ("d.vmdk");

  d = test_open ("d.vmdk");
  CHECK (d->size == 10487296);
  CHECK (strcmp (vmdk_get_descriptor (d)->create_type, "streamOptimized") == 0);
  test_expect_bytes (d, 10485760, 1536, 0x5a);
  test_expect_bytes (d, 5 << 20, 100 << 10, 0xcd);
  /* Reading a small piece in the middle of a compressed grain. */
  test_expect_bytes (d, (1 << 20) + 1000, 7, 0xab);
  info = json_object ();
  CHECK (d->driver->info (d, info) == 0);
  ext = json_array_get (json_object_get (info, "extents"), 0);
  CHECK (ext != NULL);
  CHECK (json_is_true (json_object_get (ext, "compressed")));
  CHECK (json_integer_value (json_object_get (ext, "grain-size")) == 65536);
  json_decref (info);
  disk_close (d);
  return 0;
}
