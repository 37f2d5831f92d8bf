/* test_vhdx_log_active_sequence: of several valid-looking runs of log
 * entries, only the active sequence is replayed — the valid one with the
 * highest sequence number whose head's Tail points into it.  Two copies of
 * the last entry, writing other bytes, are planted later in the log: one
 * with a lower sequence number (an old, complete sequence) and one with a
 * higher number whose Tail points outside its run (not a valid
 * sequence); neither may be applied. */
#include <string.h>

#include "vhdxtest.h"

static void
plant (uint64_t at, uint64_t seq, uint32_t tail, uint8_t byte)
{
  const uint64_t log = VHDXGEN_LOG_OFFSET;
  uint8_t entry[8192];

  test_read_at ("l.vhdx", log + 8192, entry, sizeof entry);
  CHECK (memcmp (entry, "loge", 4) == 0);
  test_patch ("l.vhdx", log + at, entry, sizeof entry);
  test_patch_le32 ("l.vhdx", log + at + 12, tail);
  test_patch_le64 ("l.vhdx", log + at + 16, seq);
  test_patch_le64 ("l.vhdx", log + at + 64 + 24, seq);
  test_patch_le32 ("l.vhdx", log + at + 4096 + 4, seq >> 32);
  test_patch_le32 ("l.vhdx", log + at + 8192 - 4, (uint32_t) seq);
  test_patch ("l.vhdx", log + at + 4096 + 100, &byte, 1);
  vhdxgen_fix_log_entry_checksum ("l.vhdx", log + at);
}

int
main (void)
{
  struct disk *d;

  test_init (false);
  vx_make_small_with_log ("l.vhdx");   /* entries 500, 501 at 0 and 8 KiB */
  plant (64 * 1024, 400, 64 * 1024, 0x99);
  plant (128 * 1024, 900, 0, 0x98);
  d = test_open ("l.vhdx");
  test_expect_bytes (d, 8192, 4096, 0xe1);
  test_expect_bytes (d, 5 << 20, 4096, 0xe5);
  disk_close (d);

  /* Without the real sequence, the old complete one is the active one. */
  test_patch_le32 ("l.vhdx", VHDXGEN_LOG_OFFSET, 0);
  test_patch_le32 ("l.vhdx", VHDXGEN_LOG_OFFSET + 8192, 0);
  d = test_open ("l.vhdx");
  {
    uint8_t b[4096];
    CHECK (disk_pread (d, b, sizeof b, 8192) == 0);
    CHECK (b[100] == 0x99 && b[99] == 0xe1 && b[101] == 0xe1);
  }
  disk_close (d);
  return 0;
}
