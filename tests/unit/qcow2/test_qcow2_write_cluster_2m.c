/* test_qcow2_write_cluster_2m: writing with 2 MiB clusters passes check and compares equal. */
#include "helpers.h"

int
main (void)
{
  test_init ();
  write_roundtrip (2097152, 48ULL << 20);
  return 0;
}
