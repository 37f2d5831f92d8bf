/* A dynamic disk whose footer at the end is damaged (say, a crash while
 * a block was being appended) opens with the copy at offset 0, and one
 * whose copy at offset 0 is damaged opens with the footer at the end
 * (QEMU refuses the latter: it reads only the copy at offset 0). */
#include "vhdtest.h"

int
main (void)
{
  uint64_t size;
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -f vpc d.vhd 4M");
  test_run ("qemu-io -f vpc -c 'write -P 0x61 1M 8k' d.vhd");
  test_run ("cp d.vhd tail.vhd && cp d.vhd head.vhd");
  size = test_file_size ("d.vhd");
  test_patch ("tail.vhd", size - 512 + 40, "\xff", 1);   /* original size */
  test_patch ("head.vhd", 40, "\xff", 1);

  d = vhdtest_open ("tail.vhd");
  test_expect_bytes (d, 1 << 20, 8192, 0x61);
  disk_close (d);
  d = test_open ("head.vhd");
  test_expect_bytes (d, 1 << 20, 8192, 0x61);
  test_expect_bytes (d, 0, 1 << 20, 0);
  disk_close (d);
  return 0;
}
