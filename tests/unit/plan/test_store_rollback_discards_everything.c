/* test_store_rollback_discards_everything: what a rolled-back transaction
 * wrote is gone; a second begin inside a transaction is refused. */
#include "plantest.h"

int
main (void)
{
  struct store *s;
  struct store_plan p = { .name = (char *) "wave", .target = (char *) "dir:/x",
                          .format = (char *) "raw" }, got;
  int64_t vm, disk;
  range_vector r = empty_vector;

  test_init (false);
  s = pt_open ("ferry.db");
  CHECK (store_begin (s) == 0);
  CHECK (store_begin (s) == -1);
  CHECK (store_plan_create (s, &p) == 0);
  store_rollback (s);
  CHECK (store_plan_get (s, "wave", &got) == 1);

  pt_make_plan (s, "kept", 1 << 20, &vm, &disk);
  CHECK (store_begin (s) == 0);
  CHECK (store_range_add (s, disk, 0, 4096) == 0);
  CHECK (store_vm_set_state (s, vm, "pending", "copying", NULL,
                             "in the transaction")
         == 0);
  store_rollback (s);
  CHECK (store_range_list (s, disk, &r) == 0);
  CHECK (r.len == 0);
  {
    struct store_vm v;
    CHECK (store_vm_get (s, vm, &v) == 0);
    CHECK (strcmp (v.state, "pending") == 0);
    store_vm_free (&v);
  }
  /* a duplicate name is refused with a clear message */
  {
    struct store_plan dup = { .name = (char *) "kept", .target = (char *) "d",
                              .format = (char *) "raw" };
    CHECK (store_plan_create (s, &dup) == -1);
    CHECK (strstr (error_message (), "already exists") != NULL);
  }
  range_vector_reset (&r);
  store_close (s);
  return 0;
}
