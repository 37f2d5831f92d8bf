/* test_vhdx_read_past_4g: a sparse 6 GiB disk with data past 4 GiB (BAT
 * past its first chunk, file offsets past 32 bits) reads like qemu-img,
 * and its holes (PAYLOAD_BLOCK_ZERO, as qemu-img creates them) are not
 * data. */
#include "vhdxtest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  test_run ("qemu-img create -q -f vhdx -o block_size=1M big.vhdx 6G");
  test_run ("qemu-io -f vhdx -c 'write -P 0x44 4095M 2M' "
            "-c 'write -P 0x55 6143M 1M' -c 'write -P 0x66 100M 64k' "
            "big.vhdx >/dev/null");
  d = test_open ("big.vhdx");
  vx_expect_status (d, 0, d->size, EXTENT_ZERO, 100 << 20);
  vx_expect_status (d, 4095ULL << 20, 2 << 20, EXTENT_DATA, 2 << 20);
  test_expect_bytes (d, (4096ULL << 20) + 12345, 1000, 0x44);
  test_expect_bytes (d, (6143ULL << 20) + 777, 1000, 0x55);
  disk_close (d);
  test_compare_with_qemu ("big.vhdx", "vhdx");
  return 0;
}
