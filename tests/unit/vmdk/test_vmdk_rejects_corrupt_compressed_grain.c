/* A compressed grain whose deflate stream is damaged gives a zlib error. */
#include "stream.h"

int
main (void)
{
  uint32_t gte;
  uint8_t junk[32];

  th_init (true);
  th_make_stream ("d.vmdk");
  CHECK (th_gte_location ("d.vmdk", 80, &gte) != 0 && gte > 1);
  memset (junk, 0xff, sizeof junk);
  /* Keep the 2-byte zlib header, wreck the deflate blocks. */
  th_patch ("d.vmdk", (uint64_t) gte * 512 + 12 + 2, junk, sizeof junk);
  th_expect_read_fails ("d.vmdk", "compressed grain 80");
  return 0;
}
