/* test_overlay_commit_killed_then_again: a commit killed at any write-side
 * call (power lost: unsynced writes undone, or some of them kept) leaves
 * the overlay in place, and committing again from it gives the same base
 * as a commit that was never killed (qemu-img compare with the overlay's
 * view; a qcow2 base passes qemu-img check). */
#include <sys/wait.h>

#include "overlaytest.h"
#include "util/fault.h"

/* Commit in a child process crashed at write-side call n; whether it
 * crashed (false: it finished first). */
static bool
commit_crashed_at (unsigned long n, uint64_t seed)
{
  const char *overlay = test_printf ("%s/overlay.qcow2", test_dir ());
  int status;
  pid_t pid = fork ();

  CHECK (pid >= 0);
  if (pid == 0) {
    fault_enable ();
    fault_crash_at (n);
    fault_crash_keeps_some (seed);
    if (overlay_commit (overlay) == -1) {
      fprintf (stderr, "child: %s\n", error_message ());
      _exit (3);
    }
    _exit (0);                  /* not exit: atexit would remove the dir */
  }
  CHECK (waitpid (pid, &status, 0) == pid);
  if (WIFEXITED (status) && WEXITSTATUS (status) == FAULT_CRASH_STATUS)
    return true;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    FAIL ("commit crashed at call %lu ended with status %d", n, status);
  return false;
}

int
main (int argc, char **argv)
{
  const char *format = argc > 1 ? argv[1] : "raw";
  const char *writer = argc > 2 ? argv[2] : "ferry";
  const char *base;
  unsigned long n, crashes = 0;
  char *path;

  test_init (true);
  base = ot_make_base (format);
  path = test_path (base);
  CHECK (overlay_create (path, format, test_printf ("%s/overlay.qcow2",
                                                    test_dir ())) == 0);
  free (path);
  ot_change_overlay_by (writer);
  test_run ("qemu-img convert -O raw overlay.qcow2 view.raw");
  test_run ("cp %s base.pristine && cp overlay.qcow2 overlay.pristine",
            base);

  for (uint64_t seed = 0; seed < 3; seed++)
    for (n = 1;; n++) {
      test_run ("cp base.pristine %s && cp overlay.pristine overlay.qcow2",
                base);
      if (!commit_crashed_at (n, seed)) {
        ot_expect_committed (base, format);
        break;
      }
      crashes++;
      /* Killed before the end: the overlay is still there to finish. */
      if (access (test_printf ("%s/overlay.qcow2", test_dir ()), F_OK) == -1)
        FAIL ("crash at call %lu (seed %" PRIu64 "): the overlay is gone "
              "before the commit was durable", n, seed);
      if (strcmp (format, "qcow2") == 0
          && test_run_status ("qemu-img check -q %s >/dev/null 2>&1", base)
             & ~3)
        FAIL ("crash at call %lu: qemu-img check says %s is damaged", n,
              base);
      if (overlay_commit (test_printf ("%s/overlay.qcow2", test_dir ()))
          == -1)
        FAIL ("commit again after a crash at call %lu: %s", n,
              error_message ());
      ot_expect_committed (base, format);
    }
  fprintf (stderr, "%lu crashed commits finished again\n", crashes);
  CHECK (crashes >= 3);
  return 0;
}
