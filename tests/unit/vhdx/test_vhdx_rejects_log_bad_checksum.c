/* test_vhdx_rejects_log_bad_checksum: when the header asks for a log
 * replay but the log's entries fail their CRC-32C, there is no valid
 * sequence to replay: the file is refused (reading it without the log
 * would show stale metadata), and the message says why. */
#include "vhdxtest.h"

int
main (void)
{
  test_init (false);
  vx_make_small_with_log ("l.vhdx");
  for (uint64_t at = 0; at < 1 << 20; at += 4096)
    if (test_read_le32 ("l.vhdx", VHDXGEN_LOG_OFFSET + at) == 0x65676f6c)
      test_patch_le32 ("l.vhdx", VHDXGEN_LOG_OFFSET + at + 100, 0x12345678);
  test_expect_open_fails ("l.vhdx", NULL, 0, "no valid sequence of entries "
                          "(entry at log offset 0: bad checksum)");
  return 0;
}
