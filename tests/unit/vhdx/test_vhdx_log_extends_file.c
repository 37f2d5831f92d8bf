/* test_vhdx_log_extends_file: the log may write past the end of the file,
 * up to its LastFileOffset (the spec's replay extends the file): a block
 * allocated at the end of the file whose data sectors and BAT entry are
 * only in the log reads as the log says, the unwritten rest of it as
 * zeros.
 *
 * qemu-img (7.2) cannot serve as the reference here: its replay writes
 * the data sectors past the end of the file but not the zero descriptors
 * after them, and then refuses its own result ("BAT entry 6 end offset
 * ... points after end of file ... truncated"). */
#include <string.h>

#include "vhdxtest.h"

int
main (void)
{
  const uint64_t M = 1 << 20;
  struct vhdxgen *g;
  struct disk *d;
  uint8_t buf[12288], got[12288];

  test_init (false);
  g = vx_gen_dynamic (16 * M, M, 512);
  vhdxgen_fill (g, 0, M, 0x10);
  vhdxgen_checkpoint (g);
  test_fill_pattern (buf, sizeof buf, 4);
  vhdxgen_write (g, 6 * M + 4096, buf, sizeof buf);  /* new block 6 */
  vhdxgen_save_with_log (g, "log.vhdx", 2, 1000);
  vhdxgen_free (g);

  d = test_open ("log.vhdx");
  vx_expect_status (d, 6 * M, M, EXTENT_DATA, M);
  test_expect_bytes (d, 6 * M, 4096, 0);
  CHECK (disk_pread (d, got, sizeof got, 6 * M + 4096) == 0);
  CHECK (memcmp (got, buf, sizeof buf) == 0);
  test_expect_bytes (d, 6 * M + 4096 + sizeof buf, M - 4096 - sizeof buf, 0);
  test_expect_bytes (d, 0, M, 0x10);
  disk_close (d);
  return 0;
}
