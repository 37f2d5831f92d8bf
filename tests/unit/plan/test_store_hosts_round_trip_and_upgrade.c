/* test_store_hosts_round_trip_and_upgrade: registered hosts are kept with
 * their URI and memory limit, listed by name, refused twice, removed; a
 * store of schema version 1 (before hosts existed) gains the hosts table
 * when opened, and keeps its plans. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "plantest.h"

int
main (void)
{
  struct store *s;
  struct store_host h = { .name = "kvm02", .uri = "qemu+ssh://kvm02/system",
                          .memory_limit = 64ull << 30 };
  struct store_host a = { .name = "kvm01", .uri = "qemu:///system" };
  struct store_host got;
  store_host_vector list = empty_vector;
  struct store_plan p = { .name = "wave1", .target = "dir:/srv",
                          .format = "qcow2" };
  char *path;
  sqlite3 *db;

  test_init (false);
  path = test_path ("ferry.db");
  s = store_open (path);
  CHECK (s != NULL);
  CHECK (store_host_add (s, &h) == 0);
  CHECK (store_host_add (s, &a) == 0);
  CHECK (store_host_add (s, &h) == -1);
  CHECK (strstr (error_message (), "already registered") != NULL);
  CHECK (store_host_get (s, "kvm02", &got) == 0);
  CHECK (strcmp (got.uri, h.uri) == 0 && got.memory_limit == h.memory_limit);
  store_host_free (&got);
  CHECK (store_host_get (s, "nope", &got) == 1);
  CHECK (store_host_list (s, &list) == 0);
  CHECK (list.len == 2 && strcmp (list.ptr[0].name, "kvm01") == 0);
  store_host_vector_free (&list);
  CHECK (store_host_remove (s, "kvm01") == 0);
  CHECK (store_host_remove (s, "kvm01") == 1);
  CHECK (store_plan_create (s, &p) == 0);
  store_close (s);

  /* Back to version 1, as an older ferry left it (version 3's tables and
   * plan column gone too; its rebuild of plan_vms keeps extra columns). */
  CHECK (sqlite3_open (path, &db) == SQLITE_OK);
  CHECK (sqlite3_exec (db, "DROP TABLE hosts; DROP TABLE syncs;"
                       "DROP TABLE intents; ALTER TABLE plans DROP COLUMN"
                       " mode; DELETE FROM schema_version;"
                       "INSERT INTO schema_version VALUES (1)", NULL, NULL,
                       NULL) == SQLITE_OK);
  sqlite3_close (db);
  s = store_open (path);
  CHECK (s != NULL);
  CHECK (store_host_list (s, &list) == 0 && list.len == 0);
  CHECK (store_host_add (s, &h) == 0);
  CHECK (store_plan_get (s, "wave1", &p) == 0);
  store_plan_free (&p);
  store_close (s);
  free (path);
  return 0;
}
