/* A differencing disk may sit on a fixed VHD (qemu-img makes the parent;
 * its UUID is read from its footer): reads fall through to the fixed
 * parent, which cannot be probed, so the child names the format. */
#include "vhdtest.h"

int
main (void)
{
  uint8_t uuid[16], run[4096];
  struct vhdgen *g;
  struct disk *d;
  uint64_t size;

  test_init (true);
  test_run ("qemu-img create -f vpc -o subformat=fixed,force_size=on "
            "base.vhd 1M");
  test_run ("qemu-io -f vpc -c 'write -P 0x33 0 1M' base.vhd");
  size = test_file_size ("base.vhd");
  test_read_at ("base.vhd", size - 512 + VHD_FOOTER_UUID, uuid, 16);

  g = vhdgen_new (VHDGEN_DIFFERENCING, 1 << 20, 512 << 10);
  vhdgen_set_parent (g, uuid, "base.vhd");
  vhdgen_add_locator (g, "W2ru", ".\\base.vhd");
  memset (run, 0x44, sizeof run);
  vhdgen_write (g, 8192, run, sizeof run);
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);

  d = test_open ("child.vhd");
  CHECK (d->backing != NULL && d->backing->size == 1 << 20);
  test_expect_bytes (d, 0, 8192, 0x33);
  test_expect_bytes (d, 8192, 4096, 0x44);
  test_expect_bytes (d, 12288, (1 << 20) - 12288, 0x33);
  disk_close (d);
  return 0;
}
