/* The virtual size follows QEMU 7.2's rule: the CHS geometry for Virtual
 * PC ("vpc "), Virtual Server ("vs  "), qemu-img without force_size
 * ("qemu") and unknown creators; current_size for Hyper-V ("win "),
 * qemu-img force_size ("qem2"), disk2vhd ("d2v "), XenServer ("tap\0"),
 * XenConverter ("CTXS"), and whenever the geometry is the largest one.
 * Each case is checked against qemu-img's size and bytes. */
#include "vhdtest.h"

#define SIZE (6u << 20)

static void
check (const char *app, uint16_t c, uint8_t h, uint8_t s, uint64_t want)
{
  static uint8_t data[SIZE];
  struct vhdgen *g = vhdgen_new (VHDGEN_DYNAMIC, SIZE, 1 << 20);
  struct disk *d;

  vhdgen_set_creator (g, app);
  vhdgen_set_geometry (g, c, h, s);
  test_fill_pattern (data, SIZE, 3);
  vhdgen_write (g, 0, data, SIZE);
  vhdgen_save (g, "d.vhd");
  vhdgen_free (g);
  d = test_open ("d.vhd");
  if (d->size != want)
    FAIL ("creator \"%.4s\", geometry %u/%u/%u: size %" PRIu64 ", expected %"
          PRIu64, app, c, h, s, d->size, want);
  disk_close (d);
  test_compare_with_qemu ("d.vhd", NULL);
}

int
main (void)
{
  /* 6 MiB = 12288 sectors; 180 x 4 x 17 = 12240 sectors is smaller */
  const uint64_t chs = 180 * 4 * 17 * 512;

  test_init (true);
  check ("vpc ", 180, 4, 17, chs);
  check ("vs  ", 180, 4, 17, chs);
  check ("qemu", 180, 4, 17, chs);
  check ("abcd", 180, 4, 17, chs);
  check ("win ", 180, 4, 17, SIZE);
  check ("qem2", 180, 4, 17, SIZE);
  check ("d2v ", 180, 4, 17, SIZE);
  check ("tap\0", 180, 4, 17, SIZE);
  check ("CTXS", 180, 4, 17, SIZE);
  check ("vpc ", 65535, 16, 255, SIZE);
  return 0;
}
