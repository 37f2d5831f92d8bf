/* fuzz_image.h: shared body of the image-parser fuzz harnesses.
 *
 * The input becomes an in-memory file, opened through the normal driver
 * path (backing files not followed), then walked the way `ferry map` and
 * `ferry convert` would: block status over the whole disk and reads of the
 * data extents, bounded so that a huge virtual size cannot stall the run.
 */
#ifndef FERRY_FUZZ_IMAGE_H
#define FERRY_FUZZ_IMAGE_H

#include <stddef.h>
#include <stdint.h>

int fuzz_image (const uint8_t *data, size_t size, const char *format);

#endif
