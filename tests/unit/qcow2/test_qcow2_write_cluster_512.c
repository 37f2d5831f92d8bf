/* test_qcow2_write_cluster_512: writing with 512-byte clusters passes check and compares equal. */
#include "helpers.h"

int
main (void)
{
  test_init ();
  write_roundtrip (512, 24ULL << 20);
  return 0;
}
