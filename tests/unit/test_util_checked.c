/* Overflow-checked arithmetic catches wrap-around. */
#include <stdint.h>

#include "test.h"
#include "util/checked.h"

int
main (void)
{
  uint64_t r;

  CHECK (!checked_add (1, 2, &r) && r == 3);
  CHECK (checked_add (UINT64_MAX, 1, &r));
  CHECK (!checked_mul (1ull << 31, 1ull << 31, &r) && r == 1ull << 62);
  CHECK (checked_mul (1ull << 32, 1ull << 32, &r));
  CHECK (checked_mul_add (1ull << 63, 1, 1ull << 63, &r));
  CHECK (!checked_mul_add (512, 8, 4, &r) && r == 4100);
  CHECK (is_power_of_2 (65536) && !is_power_of_2 (0) && !is_power_of_2 (3));
  CHECK (round_up (4097, 4096) == 8192 && round_down (4097, 4096) == 4096);
  return 0;
}
