/* test_vhdx_log_never_writes_source: ferry replays a pending log in
 * memory only: after opening and reading every byte of a log-pending
 * file, the file is byte-identical, and a read-only file (mode 0444)
 * opens as well.  (qemu-img refuses to open such a file read-only: "opened
 * read-only, but contains a log that needs to be replayed".) */
#include "vhdxtest.h"

int
main (void)
{
  struct disk *d;

  test_init (true);
  vx_make_small_with_log ("log.vhdx");
  test_run ("cp log.vhdx before.vhdx");
  test_run ("chmod 0444 log.vhdx");
  d = test_open ("log.vhdx");
  CHECK (test_read_everything (d) == 0);
  test_expect_bytes (d, 8192, 4096, 0xe1);
  test_expect_bytes (d, 5 << 20, 1 << 20, 0xe5);
  disk_close (d);
  CHECK (vx_files_equal ("log.vhdx", "before.vhdx"));
  CHECK (test_run_status ("qemu-img convert -f vhdx -O raw log.vhdx q.raw")
         != 0);
  CHECK (vx_files_equal ("log.vhdx", "before.vhdx"));
  return 0;
}
