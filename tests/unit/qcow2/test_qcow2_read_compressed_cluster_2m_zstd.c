/* test_qcow2_read_compressed_cluster_2m_zstd: zstd compressed 2 MiB clusters read right. */
#include "helpers.h"

int
main (void)
{
  const char *raw, *img;

  test_init ();
  raw = tpath ("src.raw");
  img = tpath ("test.qcow2");
  RUN ("qemu-img create -q -f raw '%s' 8M", raw);
  qemu_io_pattern (raw, "-f raw", 8 << 20);
  RUN ("head -c 1000000 /dev/urandom | dd of='%s' bs=1 seek=3000000 conv=notrunc status=none", raw);
  RUN ("qemu-img convert -c -f raw -O qcow2 -o cluster_size=2097152,compression_type=zstd '%s' '%s'", raw, img);
  compare_with_qemu (img);
  compare_map_with_qemu (img, true);
  return 0;
}
