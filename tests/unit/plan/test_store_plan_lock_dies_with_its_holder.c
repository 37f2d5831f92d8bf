/* test_store_plan_lock_dies_with_its_holder: a plan's runner lock held by
 * another process refuses store_plan_lock (1) and shows as locked; once
 * that process is SIGKILLed the kernel has released it: not locked, and
 * this process takes it.  A lock is per plan (another plan stays free),
 * is seen by store_plan_locked on the holder's own handle too, and
 * unlock frees it. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plantest.h"

int
main (void)
{
  struct store *s, *other;
  int64_t p1, p2;
  int ready[2];
  pid_t child;
  char c;

  test_init (false);
  s = pt_open ("ferry.db");
  p1 = pt_make_plan (s, "one", 1 << 20, NULL, NULL);
  p2 = pt_make_plan (s, "two", 1 << 20, NULL, NULL);
  CHECK (store_plan_locked (s, p1) == 0);     /* no lock file yet */
  CHECK (pipe (ready) == 0);
  child = fork ();
  CHECK (child != -1);
  if (child == 0) {
    struct store *cs = pt_open ("ferry.db");
    if (store_plan_lock (cs, p1) != 0)
      _exit (1);
    if (write (ready[1], "x", 1) != 1)
      _exit (1);
    pause ();
    _exit (0);
  }
  close (ready[1]);
  CHECK (read (ready[0], &c, 1) == 1);
  CHECK (store_plan_locked (s, p1) == 1);
  CHECK (store_plan_lock (s, p1) == 1);
  CHECK (store_plan_locked (s, p2) == 0);
  CHECK (kill (child, SIGKILL) == 0);
  CHECK (waitpid (child, NULL, 0) == child);
  CHECK (store_plan_locked (s, p1) == 0);
  CHECK (store_plan_lock (s, p1) == 0);
  CHECK (store_plan_locked (s, p1) == 1);
  other = pt_open ("ferry.db");
  CHECK (store_plan_lock (other, p1) == 1);
  CHECK (store_plan_lock (other, p2) == 0);
  store_plan_unlock (s, p1);
  CHECK (store_plan_locked (other, p1) == 0);
  CHECK (store_plan_lock (other, p1) == 0);
  store_close (other);                        /* releases both */
  CHECK (store_plan_locked (s, p1) == 0);
  CHECK (store_plan_locked (s, p2) == 0);
  store_close (s);
  return 0;
}
