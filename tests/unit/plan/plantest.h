/* plantest.h: helpers for the plan and store unit tests: a fresh store in
 * the test directory, and a plan with one VM and one disk in it. */
#ifndef FERRY_TESTS_PLANTEST_H
#define FERRY_TESTS_PLANTEST_H

#include <stdlib.h>
#include <string.h>

#include "imagetest.h"
#include "plan/plan.h"
#include "plan/store.h"

/* Open (creating) test-dir/NAME; fails the test on error. */
static inline struct store *
pt_open (const char *name)
{
  char *path = test_path (name);
  struct store *s = store_open (path);
  if (s == NULL)
    FAIL ("store_open %s: %s", path, error_message ());
  free (path);
  return s;
}

/* A plan called name with one pending VM and one disk of `size` bytes;
 * their ids in *vm_id and *disk_id. */
static inline int64_t
pt_make_plan (struct store *s, const char *name, uint64_t size,
              int64_t *vm_id, int64_t *disk_id)
{
  struct store_plan p = { .name = (char *) name, .target = (char *) "dir:/x",
                          .format = (char *) "qcow2",
                          .options = (char *) "{}" };
  struct store_vm v = { 0 };
  struct store_disk d = { 0 };

  CHECK (store_begin (s) == 0);
  CHECK (store_plan_create (s, &p) == 0);
  v.plan_id = p.id;
  v.source = (char *) "vmx:/src/web01.vmx";
  v.vm_name = v.target_name = (char *) "web01";
  v.state = (char *) "pending";
  v.bytes_total = size;
  CHECK (store_vm_add (s, &v) == 0);
  d.vm_id = v.id;
  d.source_path = (char *) "/src/web01.vmdk";
  d.size = size;
  CHECK (store_disk_add (s, &d) == 0);
  CHECK (store_commit (s) == 0);
  if (vm_id)
    *vm_id = v.id;
  if (disk_id)
    *disk_id = d.id;
  return p.id;
}

#endif
