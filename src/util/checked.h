/* checked.h: overflow-checked size arithmetic.
 *
 * Every size or offset computed from untrusted input goes through these.
 * Each returns true when the result overflowed (and *r is unusable).
 */
#ifndef FERRY_UTIL_CHECKED_H
#define FERRY_UTIL_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

static inline bool
checked_add (uint64_t a, uint64_t b, uint64_t *r)
{
  return __builtin_add_overflow (a, b, r);
}

static inline bool
checked_mul (uint64_t a, uint64_t b, uint64_t *r)
{
  return __builtin_mul_overflow (a, b, r);
}

/* a * b + c */
static inline bool
checked_mul_add (uint64_t a, uint64_t b, uint64_t c, uint64_t *r)
{
  return __builtin_mul_overflow (a, b, r) || __builtin_add_overflow (*r, c, r);
}

static inline bool
is_power_of_2 (uint64_t v)
{
  return v != 0 && (v & (v - 1)) == 0;
}

static inline uint64_t
round_up (uint64_t v, uint64_t align)
{
  return (v + align - 1) / align * align;
}

static inline uint64_t
round_down (uint64_t v, uint64_t align)
{
  return v / align * align;
}

static inline uint64_t
min_u64 (uint64_t a, uint64_t b)
{
  return a < b ? a : b;
}

static inline uint64_t
max_u64 (uint64_t a, uint64_t b)
{
  return a > b ? a : b;
}

#endif
