/* test_qcow2_rejects_external_data_file: incompatible bit 2 (external data file) is refused. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (72, 8, 1ULL << 2, "external data file");
  return 0;
}
