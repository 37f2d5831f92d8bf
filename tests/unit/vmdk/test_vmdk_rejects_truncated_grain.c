/* A stream whose grains were cut off (GD and GTs intact at the start)
 * opens, but reading the missing grain fails with "past end of file". */
#include "stream.h"

int
main (void)
{
  uint32_t gte;

  th_init (true);
  th_make_stream ("d.vmdk");
  /* Grain 80 (5 MiB / 64 KiB): cut the file just after its marker. */
  CHECK (th_gte_location ("d.vmdk", 80, &gte) != 0 && gte > 1);
  th_truncate ("d.vmdk", (uint64_t) gte * 512 + 16);
  th_expect_read_fails ("d.vmdk", "past end of file");
  return 0;
}
