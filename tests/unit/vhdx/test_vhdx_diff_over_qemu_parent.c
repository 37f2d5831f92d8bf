/* test_vhdx_diff_over_qemu_parent: a differencing disk whose parent was
 * made by qemu-img (linked by the parent's DataWriteGuid, read from its
 * current header) reads the same in ferry and libvhdi. */
#include "vhdxtest.h"

int
main (void)
{
  const uint64_t M = 1 << 20, size = 32 * M;
  struct vhdxgen_options o;
  struct vhdxgen *g;
  char guid[40];
  const char *const parents[] = { "base.vhdx", NULL };

  test_init (true);
  test_run ("qemu-img create -q -f vhdx -o block_size=1M base.vhdx 32M");
  test_run ("qemu-io -f vhdx -c 'write -P 0xa1 0 20M' base.vhdx >/dev/null");
  vhdxgen_read_data_write_guid ("base.vhdx", guid);
  for (char *p = guid; *p; p++)     /* see VX_PARENT_GUID */
    if (*p >= 'A' && *p <= 'F')
      *p += 'a' - 'A';
  o = vx_child_options (size, 512, ".\\base.vhdx");
  o.parent_linkage = guid;
  g = vhdxgen_new (&o);
  vhdxgen_fill (g, 10 * M + 512, 4096, 0xb2);
  vhdxgen_fill (g, 25 * M, 2 * M, 0xc3);
  vhdxgen_save (g, "snap.avhdx");
  vhdxgen_free (g);

  vx_compare_with_pyvhdi ("snap.avhdx", parents);
  return 0;
}
