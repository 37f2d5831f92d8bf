/* test_qcow2_write_cluster_4k: writing with 4 KiB clusters passes check and compares equal. */
#include "helpers.h"

int
main (void)
{
  test_init ();
  write_roundtrip (4096, 40ULL << 20);
  return 0;
}
