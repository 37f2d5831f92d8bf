/* A stream whose grains were cut off (GD and GTs intact at the start)
 * opens, but reading the missing grain fails with "past end of file". */
#include "vmdktest.h"

int
main (void)
{
  uint64_t sector;

  test_init (true);
  vt_make_stream ("d.vmdk");
  /* Grain 80 (5 MiB / 64 KiB): cut the file just after its marker. */
  sector = vt_grain_sector ("d.vmdk", 80);
  test_truncate ("d.vmdk", sector * 512 + 16);
  test_expect_read_fails ("d.vmdk", "past end of file");
  return 0;
}
