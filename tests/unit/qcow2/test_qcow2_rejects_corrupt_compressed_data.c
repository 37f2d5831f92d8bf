/* test_qcow2_rejects_corrupt_compressed_data: garbage in place of compressed data (zlib and zstd) fails the read cleanly. */
#include "qcow2test.h"

int
main (void)
{
  test_init (true);
  test_run ("qemu-img create -q -f raw src.raw 1M");
  test_run ("qemu-io -f raw -c 'write -P 0x11 0 1M' src.raw >/dev/null");
  for (int zstd = 0; zstd <= 1; zstd++) {
    const char *img = zstd ? "z.qcow2" : "d.qcow2";
    uint64_t desc;
    uint8_t junk[64];

    test_run ("qemu-img convert -c -f raw -O qcow2 -o cluster_size=4096,"
              "compression_type=%s src.raw '%s'", zstd ? "zstd" : "zlib", img);
    desc = test_read_be64 (img, qt_l2_table_offset (img));
    CHECK (desc & (1ULL << 62));
    memset (junk, 0xff, sizeof junk);
    test_patch (img, desc & ((1ULL << 58) - 1), junk, sizeof junk);
    test_expect_read_fails (img, "corrupt");
  }
  return 0;
}
