/* test_vhdx_rejects_truncated_file: a file cut short — inside the
 * headers, before its log, BAT or metadata, inside a data block, or
 * below a pending log's FlushedFileOffset — is refused with a clear
 * message, never read past its end. */
#include "vhdxtest.h"

int
main (void)
{
  static const struct { uint64_t size; const char *want; } cuts[] = {
    { 4, "not a VHDX file" },
    { 100 * 1024, "too short" },
    { 300 * 1024, "too short" },
    { 1536 * 1024, "log (offset 1048576, length 1048576)" },
    { 2 << 20, "region (offset 3145728, length 1048576) is empty, not 1 MiB aligned, or past end of file" },
    { (4 << 20) + 4096, "points past end of file" },
  };

  test_init (false);
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    vx_make_small ("t.vhdx");
    test_truncate ("t.vhdx", cuts[i].size);
    test_expect_open_fails ("t.vhdx", "vhdx", 0, cuts[i].want);
  }
  vx_make_small_with_log ("l.vhdx");
  test_truncate ("l.vhdx", (6 << 20) - 4096);
  test_expect_open_fails ("l.vhdx", NULL, 0, "FlushedFileOffset");
  return 0;
}
