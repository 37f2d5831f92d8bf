/* test_plan_cutover_records_the_request: plan_cutover() records the
 * cutover time of the named VMs of a warm plan (by target or source name),
 * or of every VM not done when none is named, with an event each, and
 * says whether a live run holds the plan; it refuses a cold plan, an
 * unknown plan or VM, and a VM that is done or failed, and then writes
 * nothing at all. */
#include <time.h>

#include "plantest.h"

/* A plan with VMs a (pending), b (syncing), c (done), d (failed), whose
 * source names are src-a ... src-d. */
static int64_t
make_plan (struct store *s, const char *name, const char *mode,
           int64_t vm[4])
{
  static const char *const states[] = {
    "syncing", "done", "failed",
  };
  struct store_plan p = { .name = (char *) name, .target = (char *) "dir:/x",
                          .format = (char *) "qcow2", .mode = (char *) mode };

  CHECK (store_begin (s) == 0);
  CHECK (store_plan_create (s, &p) == 0);
  for (int i = 0; i < 4; i++) {
    char target[8], source[8];
    struct store_vm v = { .plan_id = p.id, .position = i,
                          .source = (char *) "kvm:h/x",
                          .vm_name = source, .target_name = target,
                          .state = (char *) "pending" };
    snprintf (target, sizeof target, "%c", 'a' + i);
    snprintf (source, sizeof source, "src-%c", 'a' + i);
    CHECK (store_vm_add (s, &v) == 0);
    vm[i] = v.id;
  }
  CHECK (store_commit (s) == 0);
  for (int i = 1; i < 4; i++)
    CHECK (store_vm_set_state (s, vm[i], "pending", states[i - 1],
                               i == 3 ? "disk full" : NULL, "setup") == 0);
  return p.id;
}

static double
cutover_of (struct store *s, int64_t vm)
{
  struct store_vm v;
  double at;

  CHECK (store_vm_get (s, vm, &v) == 0);
  at = v.cutover_at;
  store_vm_free (&v);
  return at;
}

static size_t
nr_events (struct store *s, int64_t vm)
{
  store_event_vector ev = empty_vector;
  size_t n;

  CHECK (store_event_list (s, vm, 0, &ev) == 0);
  n = ev.len;
  store_event_vector_free (&ev);
  return n;
}

static void
check_untouched (struct store *s, const int64_t vm[4], const size_t ev[4])
{
  for (int i = 0; i < 4; i++) {
    CHECK (cutover_of (s, vm[i]) == 0);
    CHECK (nr_events (s, vm[i]) == ev[i]);
  }
}

int
main (void)
{
  struct store *s, *other;
  int64_t vm[4], cold_vm[4], plan;
  size_t ev[4];
  bool running = true;
  const char *unknown[] = { "a", "zz" };
  const char *done[] = { "c" };
  const char *failed[] = { "d" };
  const char *two[] = { "src-a", "b" };
  double before;

  test_init (false);
  s = pt_open ("ferry.db");
  plan = make_plan (s, "w", "warm", vm);
  make_plan (s, "c", "cold", cold_vm);
  for (int i = 0; i < 4; i++)
    ev[i] = nr_events (s, vm[i]);

  CHECK (plan_cutover (s, "c", NULL, 0, 0, &running) == -1);
  CHECK (strstr (error_message (), "cold plan") != NULL);
  CHECK (cutover_of (s, cold_vm[0]) == 0);
  CHECK (plan_cutover (s, "nope", NULL, 0, 0, &running) == -1);
  CHECK (strstr (error_message (), "does not exist") != NULL);
  CHECK (plan_cutover (s, "w", unknown, 2, 2e9, &running) == -1);
  CHECK (strstr (error_message (), "no VM called \"zz\"") != NULL);
  check_untouched (s, vm, ev);
  CHECK (plan_cutover (s, "w", done, 1, 2e9, &running) == -1);
  CHECK (strstr (error_message (), "c is done") != NULL);
  CHECK (plan_cutover (s, "w", failed, 1, 2e9, &running) == -1);
  CHECK (strstr (error_message (), "d failed (disk full)") != NULL);
  /* none named: every VM not done, and d failed: refused, nothing kept */
  CHECK (plan_cutover (s, "w", NULL, 0, 2e9, &running) == -1);
  CHECK (strstr (error_message (), "d failed") != NULL);
  check_untouched (s, vm, ev);

  /* Named, by source and target name, at a given time, no runner. */
  CHECK (plan_cutover (s, "w", two, 2, 2000000000.5, &running) == 0);
  CHECK (!running);
  CHECK (cutover_of (s, vm[0]) == 2000000000.5);
  CHECK (cutover_of (s, vm[1]) == 2000000000.5);
  CHECK (cutover_of (s, vm[2]) == 0 && cutover_of (s, vm[3]) == 0);
  CHECK (nr_events (s, vm[0]) == ev[0] + 1);
  CHECK (nr_events (s, vm[1]) == ev[1] + 1);
  {
    store_event_vector e = empty_vector;
    CHECK (store_event_list (s, vm[1], 1, &e) == 0 && e.len == 1);
    CHECK (strcmp (e.ptr[0].state, "syncing") == 0);
    CHECK (strstr (e.ptr[0].message, "2033-05-18T03:33:20Z") != NULL);
    store_event_vector_free (&e);
  }

  /* None named, d retried meanwhile: a, b, d at once (0 = now); c is done
   * and left alone; a live run holds the plan. */
  CHECK (store_vm_set_state (s, vm[3], "failed", "validating", NULL, "retry")
         == 0);
  other = pt_open ("ferry.db");
  CHECK (store_plan_lock (other, plan) == 0);
  before = (double) time (NULL);
  CHECK (plan_cutover (s, "w", NULL, 0, 0, &running) == 0);
  CHECK (running);
  for (int i = 0; i < 4; i++)
    if (i == 2)
      CHECK (cutover_of (s, vm[i]) == 0);
    else
      CHECK (cutover_of (s, vm[i]) >= before
             && cutover_of (s, vm[i]) < before + 60);
  store_close (other);

  /* Every VM done: nothing to cut over. */
  for (int i = 0; i < 4; i++)
    if (i != 2) {
      struct store_vm v;
      CHECK (store_vm_get (s, vm[i], &v) == 0);
      CHECK (store_vm_set_state (s, vm[i], v.state, "done", NULL, "x") == 0);
      store_vm_free (&v);
    }
  CHECK (plan_cutover (s, "w", NULL, 0, 0, &running) == -1);
  CHECK (strstr (error_message (), "every VM is done") != NULL);
  store_close (s);
  return 0;
}
