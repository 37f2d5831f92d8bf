/* test_qcow2_rejects_refcount_table_past_eof: a refcount table past the end of the file is refused. */
#include "qcow2test.h"

int
main (void)
{
  qt_expect_patch_refused (56, 4, 1000000, "refcount table");
  return 0;
}
