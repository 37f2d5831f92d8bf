/* test_qcow2_write_killed_leaves_no_corruption: a writer killed with SIGKILL at random moments leaves an image qemu-img check finds at worst leaky. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qcow2test.h"

int
main (void)
{
  const uint64_t size = 32ULL << 20;
  char *img;

  test_init (true);
  img = test_path ("killed.qcow2");
  /* 512-byte clusters: many L2 tables, refcount blocks and table growth */
  test_run ("qemu-img create -q -f qcow2 -o cluster_size=512 killed.qcow2 %" PRIu64, size);
  for (int round = 0; round < 6; round++) {
    pid_t pid = fork ();
    int r, status;

    CHECK (pid >= 0);
    if (pid == 0) {
      struct disk *d = disk_open (img, "qcow2", DISK_OPEN_WRITE);
      uint8_t *buf = malloc (1 << 20);
      uint64_t x = round + 1;
      if (d == NULL)
        _exit (2);
      for (int i = 0;; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t off = ((x >> 20) % size) & ~511ULL;
        uint64_t len = 512 + (x >> 40) % ((1 << 20) - 512);
        if (off + len > size)
          len = size - off;
        test_fill_pattern (buf, len, i);
        if (disk_pwrite (d, buf, len, off) == -1)
          _exit (3);
        if (i % 4 == 0 && disk_flush (d) == -1)
          _exit (4);
      }
    }
    usleep (50000 + 70000 * round);
    kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
    if (!WIFSIGNALED (status))
      FAIL ("writer exited early with status %d", WEXITSTATUS (status));
    r = qt_check (img);
    if (r != 0 && r != 3)
      FAIL ("round %d: qemu-img check gave %d", round, r);
  }
  free (img);
  return 0;
}
