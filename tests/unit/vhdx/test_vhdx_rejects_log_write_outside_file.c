/* test_vhdx_rejects_log_write_outside_file: a pending log entry (valid
 * checksum) that writes past the file and its LastFileOffset, or over the
 * headers, is refused with a clear message, not applied. */
#include "vhdxtest.h"

int
main (void)
{
  const uint64_t entry = VHDXGEN_LOG_OFFSET;       /* first entry */
  const uint64_t desc = entry + 64;                /* its descriptor */

  test_init (false);
  vx_make_small_with_log ("l.vhdx");
  CHECK (test_read_le32 ("l.vhdx", desc) == 0x63736564);   /* "desc" */
  test_patch_le64 ("l.vhdx", desc + 16, UINT64_C (1) << 40);
  vhdxgen_fix_log_entry_checksum ("l.vhdx", entry);
  test_expect_open_fails ("l.vhdx", NULL, 0, "outside the file");

  vx_make_small_with_log ("l.vhdx");
  test_patch_le64 ("l.vhdx", desc + 16, 64 * 1024);        /* header 1 */
  vhdxgen_fix_log_entry_checksum ("l.vhdx", entry);
  test_expect_open_fails ("l.vhdx", NULL, 0, "over the file headers");
  return 0;
}
