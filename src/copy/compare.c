/* compare.c: guest-visible comparison of two disk chains; see copy.h.
 *
 * Ranges that neither side holds data for are equal without reading.
 * Everything else is read through the chains and compared bytewise, so a
 * zero cluster equals an all-zero data cluster, as the guest sees it.
 */
#include <stdlib.h>
#include <string.h>

#include "copy/copy.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/interrupt.h"

#define COMPARE_CHUNK (4u << 20)

static uint64_t
compare_first_difference (const char *a, const char *b, size_t n)
{
  size_t i = 0;
  while (i < n && a[i] == b[i])
    i++;
  return i;
}

/* Compare [offset, end) of a and b, both of which cover it. */
static int
compare_common (struct disk *a, struct disk *b, uint64_t end,
                char *buf_a, char *buf_b, uint64_t *first_difference)
{
  uint64_t offset = 0;

  while (offset < end) {
    struct extent ea, eb;
    uint64_t n;

    if (interrupt_check () == -1
        || disk_block_status (a, offset, end - offset, &ea) == -1
        || disk_block_status (b, offset, end - offset, &eb) == -1)
      return -1;
    n = min_u64 (min_u64 (ea.length, eb.length), COMPARE_CHUNK);
    if (ea.type != EXTENT_DATA && eb.type != EXTENT_DATA) {
      offset += n;
      continue;
    }
    if (disk_pread (a, buf_a, n, offset) == -1
        || disk_pread (b, buf_b, n, offset) == -1)
      return -1;
    if (memcmp (buf_a, buf_b, n) != 0) {
      *first_difference = offset + compare_first_difference (buf_a, buf_b, n);
      return 1;
    }
    offset += n;
  }
  return 0;
}

/* Whether [offset, size) of d reads as zeros. */
static int
compare_tail_is_zero (struct disk *d, uint64_t offset, char *buf,
                      uint64_t *first_difference)
{
  while (offset < d->size) {
    struct extent e;
    uint64_t n;

    if (disk_block_status (d, offset, d->size - offset, &e) == -1)
      return -1;
    n = min_u64 (e.length, COMPARE_CHUNK);
    if (e.type == EXTENT_DATA) {
      if (disk_pread (d, buf, n, offset) == -1)
        return -1;
      if (!copy_is_zero (buf, n)) {
        size_t i = 0;
        while (buf[i] == 0)
          i++;
        *first_difference = offset + i;
        return 1;
      }
    }
    offset += n;
  }
  return 0;
}

int
copy_compare (struct disk *a, struct disk *b, uint64_t *first_difference)
{
  CLEANUP_FREE char *buf_a = copy_buffer_alloc (COMPARE_CHUNK);
  CLEANUP_FREE char *buf_b = copy_buffer_alloc (COMPARE_CHUNK);
  uint64_t common = min_u64 (a->size, b->size);
  int r;

  if (buf_a == NULL || buf_b == NULL)
    return -1;
  r = compare_common (a, b, common, buf_a, buf_b, first_difference);
  if (r != 0)
    return r;
  if (a->size > common)
    return compare_tail_is_zero (a, common, buf_a, first_difference);
  if (b->size > common)
    return compare_tail_is_zero (b, common, buf_b, first_difference);
  return 0;
}
