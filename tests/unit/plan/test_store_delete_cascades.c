/* test_store_delete_cascades: deleting a plan deletes its VMs, disks,
 * ranges and events (foreign keys are on); an unknown state is refused. */
#include "plantest.h"

int
main (void)
{
  struct store *s;
  int64_t plan, vm, disk;
  range_vector r = empty_vector;
  store_event_vector ev = empty_vector;
  store_disk_vector disks = empty_vector;
  struct store_vm v;

  test_init (false);
  s = pt_open ("ferry.db");
  plan = pt_make_plan (s, "wave", 1 << 30, &vm, &disk);
  CHECK (store_range_add (s, disk, 0, 1 << 20) == 0);
  CHECK (store_vm_set_state (s, vm, "pending", "validating", NULL, "started")
         == 0);
  CHECK (store_vm_set_state (s, vm, "validating", "bogus", NULL,
                             "no such state") == -1);
  CHECK (store_event_list (s, vm, 0, &ev) == 0);
  CHECK (ev.len == 1 && strcmp (ev.ptr[0].state, "validating") == 0);
  store_event_vector_free (&ev);

  CHECK (store_plan_delete (s, plan) == 0);
  CHECK (store_vm_get (s, vm, &v) == 1);
  CHECK (store_disk_list (s, vm, &disks) == 0 && disks.len == 0);
  CHECK (store_range_list (s, disk, &r) == 0 && r.len == 0);
  CHECK (store_event_list (s, vm, 0, &ev) == 0 && ev.len == 0);
  /* a VM cannot point at a plan that does not exist */
  {
    struct store_vm orphan = { .plan_id = plan, .source = (char *) "x",
                               .vm_name = (char *) "x",
                               .target_name = (char *) "x",
                               .state = (char *) "pending" };
    CHECK (store_vm_add (s, &orphan) == -1);
  }
  store_disk_vector_free (&disks);
  store_event_vector_free (&ev);
  range_vector_reset (&r);
  store_close (s);
  return 0;
}
