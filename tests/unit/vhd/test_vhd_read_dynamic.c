/* A dynamic VHD made by qemu-img reads like qemu-img reads it: data in
 * several blocks, a write straddling two blocks, unallocated blocks read
 * as zeros and map as zero (present), as QEMU's map says. */
#include "vhdtest.h"

int
main (void)
{
  struct disk *d;
  struct extent e;

  test_init (true);
  test_run ("qemu-img create -f vpc -o subformat=dynamic d.vhd 20M");
  test_run ("qemu-io -f vpc -c 'write -P 0xab 1M 64k' "
            "-c 'write -P 0xcd 4095k 2k' -c 'write -P 0x11 10M 512' "
            "-c 'write -P 0x22 18M 1M' d.vhd");
  test_compare_with_qemu ("d.vhd", NULL);        /* both probe it */
  test_compare_map_with_qemu ("d.vhd", NULL, true);

  d = test_open ("d.vhd");
  CHECK (strcmp (d->driver->name, "vhd") == 0);
  test_expect_bytes (d, 1 << 20, 64 << 10, 0xab);
  test_expect_bytes (d, (4095 << 10), 2 << 10, 0xcd);
  e = test_status_at (d, 6 << 20, 2 << 20);
  CHECK (e.type == EXTENT_ZERO && e.length == 2 << 20);
  /* a block is data as a whole: QEMU sets every bitmap bit */
  e = test_status_at (d, 0, 1 << 20);
  CHECK (e.type == EXTENT_DATA);
  disk_close (d);
  return 0;
}
