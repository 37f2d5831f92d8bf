/* test_vhdx_rejects_bat_entry_past_eof: a FULLY_PRESENT BAT entry that
 * points past the end of the file is refused, naming the entry, the
 * offset and the file size; so is one pointing into the headers. */
#include "vhdxtest.h"

int
main (void)
{
  char want[128];

  test_init (false);
  vx_make_small ("p.vhdx");
  test_patch_le64 ("p.vhdx", VHDXGEN_BAT_OFFSET + 8 * 2,
                   (UINT64_C (1000) << 20) | VHDXGEN_FULLY_PRESENT);
  snprintf (want, sizeof want, "BAT entry 2 points past end of file (offset "
            "%" PRIu64 ", size %" PRIu64 ")", UINT64_C (1000) << 20,
            test_file_size ("p.vhdx"));
  test_expect_open_fails ("p.vhdx", NULL, 0, want);
  test_patch_le64 ("p.vhdx", VHDXGEN_BAT_OFFSET + 8 * 2,
                   VHDXGEN_FULLY_PRESENT);    /* offset 0 */
  test_expect_open_fails ("p.vhdx", NULL, 0, "BAT entry 2 points");
  test_patch_le64 ("p.vhdx", VHDXGEN_BAT_OFFSET + 8 * 2,
                   UINT64_MAX);               /* huge, reserved state 7 */
  test_expect_open_fails ("p.vhdx", NULL, 0, "BAT entry 2 is "
                          "PARTIALLY_PRESENT, which only a differencing");
  test_patch_le64 ("p.vhdx", VHDXGEN_BAT_OFFSET + 8 * 2, 4);
  test_expect_open_fails ("p.vhdx", NULL, 0, "reserved state 4");
  return 0;
}
