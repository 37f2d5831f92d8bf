/* range.h: byte ranges of a disk and their bookkeeping — what the mover
 * copies, what a checkpoint records as finished, what a change source
 * reports as changed.
 *
 * A range_vector is sorted and disjoint only after range_normalize; the
 * other helpers say what they need.  Pure computation: no I/O, no errors
 * other than running out of memory.
 */
#ifndef FERRY_UTIL_RANGE_H
#define FERRY_UTIL_RANGE_H

#include <stddef.h>
#include <stdint.h>

#include "util/vector.h"

struct range {
  uint64_t offset;
  uint64_t length;
};

DEFINE_VECTOR_TYPE (range_vector, struct range);

/* Sort by offset and merge overlapping and adjacent ranges (dropping empty
 * ones; a range that would wrap is clipped at UINT64_MAX).  Always 0. */
int range_normalize (range_vector *ranges);
/* The parts of [0, size) that no range of `covered` (any order, overlaps
 * allowed) covers, sorted, appended to out; ranges past size are clipped.
 * 0, or -1 on out of memory. */
int range_remaining (const range_vector *covered, uint64_t size,
                     range_vector *out);
/* Sum of the lengths. */
uint64_t range_bytes (const struct range *ranges, size_t n);

#endif
