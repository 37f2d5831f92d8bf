/* test_qcow2_rejects_corrupt_compressed_data: garbage in place of compressed data (zlib and zstd) fails the read cleanly. */
#include "helpers.h"

int
main (void)
{
  const char *raw, *img;

  test_init ();
  raw = tpath ("src.raw");
  RUN ("qemu-img create -q -f raw '%s' 1M", raw);
  RUN ("qemu-io -f raw -c 'write -P 0x11 0 1M' '%s' >/dev/null", raw);
  for (int zstd = 0; zstd <= 1; zstd++) {
    uint64_t desc, off;
    uint8_t junk[64];

    img = tpath (zstd ? "z.qcow2" : "d.qcow2");
    RUN ("qemu-img convert -c -f raw -O qcow2 -o cluster_size=4096,compression_type=%s '%s' '%s'",
         zstd ? "zstd" : "zlib", raw, img);
    desc = read_be64_at (img, l2_table_offset (img));
    CHECK (desc & (1ULL << 62));
    off = desc & ((1ULL << 58) - 1);
    memset (junk, 0xff, sizeof junk);
    patch_file (img, off, junk, sizeof junk);
    expect_read_fails (img, "corrupt");
  }
  return 0;
}
