/* test_qcow2_read_compressed_cluster_2m_zstd: zstd compressed 2 MiB clusters read right. */
#include "qcow2test.h"

int
main (void)
{
  qt_read_compressed_case ("cluster_size=2097152,compression_type=zstd");
  return 0;
}
