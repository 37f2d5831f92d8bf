/* test_vhdx_read_4k_logical_sectors: a dynamic VHDX with 4096-byte
 * logical sectors (qemu-img cannot create one; the generator does) reads
 * the same in ferry and libvhdi, and ferry reports the sector size.
 *
 * qemu 7.2 refuses such files ("Operation not supported": its vhdx driver
 * only handles 512-byte logical sectors), although the spec allows 4096;
 * the test checks that refusal, so that a newer qemu that reads them is
 * noticed and compared with. */
#include "vhdxtest.h"

int
main (void)
{
  struct vhdxgen *g;
  struct disk *d;
  json_t *info;
  uint8_t buf[3 * 4096];

  test_init (true);
  g = vx_gen_dynamic (64 << 20, 4 << 20, 4096);
  test_fill_pattern (buf, sizeof buf, 2);
  vhdxgen_write (g, 4096 * 100, buf, sizeof buf);
  vhdxgen_fill (g, 60 << 20, 4 << 20, 0x4b);
  vhdxgen_save (g, "s4k.vhdx");
  vhdxgen_free (g);

  if (test_run_status ("qemu-img convert -f vhdx -O raw s4k.vhdx q.raw") == 0)
    FAIL ("qemu-img now reads 4096-byte logical sectors: compare with it");
  vx_compare_with_pyvhdi ("s4k.vhdx", NULL);

  d = test_open ("s4k.vhdx");
  info = json_object ();
  CHECK (d->driver->info (d, info) == 0);
  CHECK (json_integer_value (json_object_get (info, "logical-sector-size"))
         == 4096);
  json_decref (info);
  disk_close (d);
  return 0;
}
