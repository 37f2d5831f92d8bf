/* test_fault_raw_create_is_durable: a raw image that disk_create made
 * keeps its size through a crash.  A plan records a target as created once
 * disk_create returns and reuses it on resume; a file left shorter than
 * the source would make the resumed copy fail ("the target image is
 * smaller than the source").  (raw_create used to set the size without
 * syncing it.) */
#include "faulttest.h"

int
main (void)
{
  uint64_t size = 3ULL << 20;

  test_init (false);
  fault_enable ();
  ft_make_target ("raw", "dst.raw", size);
  fault_crash ();
  fault_disable ();
  CHECK (test_file_size ("dst.raw") == size);
  return 0;
}
