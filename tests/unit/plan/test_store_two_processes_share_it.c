/* test_store_two_processes_share_it: a writer process commits checkpoint
 * batches (ranges + progress) while this process reads the plan as `plan
 * show` does: no reader ever fails or sees a half-committed batch (WAL
 * readers see whole transactions), and every batch arrives. */
#include <sys/wait.h>
#include <unistd.h>

#include "plantest.h"

#define BATCHES 150
#define PER_BATCH 4

int
main (void)
{
  struct store *s;
  int64_t vm, disk;
  char *path;
  pid_t pid;
  int status, reads = 0;
  size_t seen = 0;

  test_init (false);
  path = test_path ("ferry.db");
  s = pt_open ("ferry.db");
  pt_make_plan (s, "wave", (uint64_t) BATCHES * PER_BATCH << 20, &vm, &disk);
  store_close (s);

  pid = fork ();
  CHECK (pid >= 0);
  if (pid == 0) {
    struct store *w = store_open (path);
    if (w == NULL)
      _exit (2);
    for (int b = 0; b < BATCHES; b++) {
      if (store_begin (w) == -1)
        _exit (3);
      for (int i = 0; i < PER_BATCH; i++)
        if (store_range_add (w, disk, ((uint64_t) b * PER_BATCH + i) << 20,
                             1 << 20) == -1)
          _exit (4);
      if (store_vm_set_progress (w, vm, 1, (uint64_t) (b + 1) * PER_BATCH, 0)
          == -1 || store_commit (w) == -1)
        _exit (5);
    }
    store_close (w);
    _exit (0);
  }

  s = pt_open ("ferry.db");
  for (;;) {
    range_vector r = empty_vector;
    struct store_vm v;
    json_t *j;
    int done = waitpid (pid, &status, WNOHANG);

    CHECK (store_range_list (s, disk, &r) == 0);
    if (r.len % PER_BATCH != 0)
      FAIL ("read %zu ranges: half a batch", r.len);
    CHECK (store_vm_get (s, vm, &v) == 0);
    CHECK (v.bytes_done >= r.len);     /* later reads see newer batches */
    store_vm_free (&v);
    j = plan_show_json (s, "wave", 5);
    CHECK (j != NULL);
    json_decref (j);
    seen = r.len;
    range_vector_reset (&r);
    reads++;
    if (done == pid)
      break;
  }
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  {
    range_vector r = empty_vector;
    CHECK (store_range_list (s, disk, &r) == 0);
    CHECK (r.len == BATCHES * PER_BATCH);
    range_vector_reset (&r);
  }
  fprintf (stderr, "%d reads while the writer ran (last saw %zu ranges)\n",
           reads, seen);
  store_close (s);
  free (path);
  return 0;
}
