/* fuzz_vhd.c: libFuzzer harness for the vhd driver: footers, dynamic
 * header, parent locators, BAT, sector bitmaps and everything reachable by
 * reading the image.
 *
 * Footers and the dynamic header carry checksums, which almost every
 * mutation breaks, so that the fuzzer would rarely get past them: each
 * input is tried as it is, then (when that changes anything) again with
 * the checksums of the footer copy at 0, the footer at the end and the
 * dynamic header that footer points to recomputed. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_image.h"
#include "util/endian.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Recompute the checksum at `at` of the len-byte structure at p; returns
 * whether it changed. */
static int
fix_checksum (uint8_t *p, size_t len, size_t at)
{
  uint32_t sum = 0;

  for (size_t i = 0; i < len; i++)
    if (i < at || i >= at + 4)
      sum += p[i];
  sum = ~sum;
  if (get_be32 (p + at) == sum)
    return 0;
  put_be32 (p + at, sum);
  return 1;
}

static int
fix_footer_and_header (uint8_t *d, size_t size, size_t footer_at)
{
  uint64_t header_at;
  int changed;

  if (memcmp (d + footer_at, "conectix", 8) != 0)
    return 0;
  changed = fix_checksum (d + footer_at, 512, 64);
  header_at = get_be64 (d + footer_at + 16);
  if (header_at <= size && size - header_at >= 1024
      && memcmp (d + header_at, "cxsparse", 8) == 0)
    changed |= fix_checksum (d + header_at, 1024, 36);
  return changed;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint8_t *copy;
  int changed;

  fuzz_image (data, size, "vhd");
  if (size < 512)
    return 0;
  copy = malloc (size);
  if (copy == NULL)
    return 0;
  memcpy (copy, data, size);
  changed = fix_footer_and_header (copy, size, 0);
  changed |= fix_footer_and_header (copy, size, size - 512);
  if (changed)
    fuzz_image (copy, size, "vhd");
  free (copy);
  return 0;
}
