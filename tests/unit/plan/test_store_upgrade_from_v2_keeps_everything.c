/* test_store_upgrade_from_v2_keeps_everything: a database written by the
 * ferry before warm migration (schema version 2: the schema SQL below is
 * that version's, verbatim) opens, is migrated to the current version in
 * place (through 3, warm migration, and 4, what syncs wrote), and
 * keeps every plan, VM, disk, range, event and host with their ids; the
 * rebuilt plan_vms table takes the new states and defaults (mode cold,
 * next mark 1, no prediction), its references still hold (deleting the
 * plan cascades through the rebuilt table to disks, ranges and events),
 * and a reference left dangling by an older bug makes the upgrade refuse
 * and leave the file at version 2. */
#include <sqlite3.h>
#include <unistd.h>

#include "plantest.h"

static const char *const v2_schema =
  "CREATE TABLE schema_version (version INTEGER NOT NULL);"
  "CREATE TABLE plans ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  target TEXT NOT NULL,"
  "  format TEXT NOT NULL,"
  "  options TEXT NOT NULL DEFAULT '{}',"
  "  created_at REAL NOT NULL,"
  "  cancel_requested INTEGER NOT NULL DEFAULT 0,"
  "  runner_pid INTEGER NOT NULL DEFAULT 0,"
  "  runner_host TEXT,"
  "  runner_since REAL NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE plan_vms ("
  "  id INTEGER PRIMARY KEY,"
  "  plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  source TEXT NOT NULL,"
  "  vm_name TEXT NOT NULL,"
  "  target_name TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('pending', 'validating',"
  "    'preparing', 'copying', 'verifying', 'adapting', 'defining', 'done',"
  "    'failed', 'cancelled')),"
  "  error TEXT,"
  "  findings TEXT,"
  "  bytes_total INTEGER NOT NULL DEFAULT 0,"
  "  bytes_done INTEGER NOT NULL DEFAULT 0,"
  "  rate REAL NOT NULL DEFAULT 0,"
  "  xml_path TEXT,"
  "  report_path TEXT,"
  "  report TEXT,"
  "  created_at REAL NOT NULL,"
  "  updated_at REAL NOT NULL,"
  "  started_at REAL NOT NULL DEFAULT 0,"
  "  finished_at REAL NOT NULL DEFAULT 0,"
  "  UNIQUE (plan_id, target_name)"
  ");"
  "CREATE TABLE disks ("
  "  id INTEGER PRIMARY KEY,"
  "  vm_id INTEGER NOT NULL REFERENCES plan_vms(id) ON DELETE CASCADE,"
  "  idx INTEGER NOT NULL,"
  "  source_path TEXT NOT NULL,"
  "  size INTEGER NOT NULL CHECK (size >= 0),"
  "  target_path TEXT,"
  "  target_created INTEGER NOT NULL DEFAULT 0,"
  "  copy_runs INTEGER NOT NULL DEFAULT 0,"
  "  last_resumed_bytes INTEGER NOT NULL DEFAULT 0,"
  "  last_copied_bytes INTEGER NOT NULL DEFAULT 0,"
  "  source_digest TEXT,"
  "  target_digest TEXT,"
  "  UNIQUE (vm_id, idx)"
  ");"
  "CREATE TABLE disk_ranges ("
  "  disk_id INTEGER NOT NULL REFERENCES disks(id) ON DELETE CASCADE,"
  "  offset INTEGER NOT NULL CHECK (offset >= 0),"
  "  length INTEGER NOT NULL CHECK (length > 0),"
  "  PRIMARY KEY (disk_id, offset)"
  ") WITHOUT ROWID;"
  "CREATE TABLE events ("
  "  id INTEGER PRIMARY KEY,"
  "  vm_id INTEGER NOT NULL REFERENCES plan_vms(id) ON DELETE CASCADE,"
  "  at REAL NOT NULL,"
  "  state TEXT NOT NULL,"
  "  message TEXT NOT NULL"
  ");"
  "CREATE INDEX events_by_vm ON events (vm_id, id);"
  "CREATE INDEX plan_vms_by_plan ON plan_vms (plan_id, position);"
  "CREATE INDEX disks_by_vm ON disks (vm_id, idx);"
  "CREATE TABLE hosts ("
  "  name TEXT PRIMARY KEY,"
  "  uri TEXT NOT NULL,"
  "  memory_limit INTEGER NOT NULL DEFAULT 0 CHECK (memory_limit >= 0),"
  "  added_at REAL NOT NULL"
  ");"
  "INSERT INTO schema_version VALUES (2);";

static const char *const v2_rows =
  "INSERT INTO plans (id, name, target, format, options, created_at,"
  "  cancel_requested) VALUES (7, 'wave1', 'dir:/srv', 'raw',"
  "  '{\"tcg\":true}', 1700000000, 1);"
  "INSERT INTO plan_vms (id, plan_id, position, source, vm_name,"
  "  target_name, state, error, bytes_total, bytes_done, rate, xml_path,"
  "  created_at, updated_at, started_at) VALUES (11, 7, 0,"
  "  'vmx:/src/web01.vmx', 'web01', 'web01-new', 'copying', NULL, 4096,"
  "  1024, 12.5, '/srv/web01.xml', 1700000001, 1700000002, 1700000003);"
  "INSERT INTO plan_vms (id, plan_id, position, source, vm_name,"
  "  target_name, state, error, created_at, updated_at) VALUES (12, 7, 1,"
  "  'vmx:/src/db01.vmx', 'db01', 'db01', 'failed', 'disk full', 1, 2);"
  "INSERT INTO disks (id, vm_id, idx, source_path, size, target_path,"
  "  target_created, copy_runs) VALUES (21, 11, 0, '/src/web01.vmdk',"
  "  4096, '/srv/web01.qcow2', 1, 2);"
  "INSERT INTO disk_ranges VALUES (21, 0, 1024);"
  "INSERT INTO events (id, vm_id, at, state, message) VALUES"
  "  (31, 11, 1700000003, 'copying', 'copy started');"
  "INSERT INTO hosts VALUES ('kvm01', 'qemu:///system', 0, 1700000000);";

static void
make_v2 (const char *path, const char *extra)
{
  sqlite3 *db;
  char *msg = NULL;

  unlink (path);
  CHECK (sqlite3_open (path, &db) == SQLITE_OK);
  if (sqlite3_exec (db, v2_schema, NULL, NULL, &msg) != SQLITE_OK
      || sqlite3_exec (db, v2_rows, NULL, NULL, &msg) != SQLITE_OK
      || (extra && sqlite3_exec (db, extra, NULL, NULL, &msg) != SQLITE_OK))
    FAIL ("making the version 2 database: %s", msg);
  sqlite3_close (db);
}

static int64_t
version_of (const char *path)
{
  sqlite3 *db;
  sqlite3_stmt *st;
  int64_t v;

  CHECK (sqlite3_open (path, &db) == SQLITE_OK);
  CHECK (sqlite3_prepare_v2 (db, "SELECT max(version) FROM schema_version",
                             -1, &st, NULL) == SQLITE_OK);
  CHECK (sqlite3_step (st) == SQLITE_ROW);
  v = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return v;
}

int
main (void)
{
  char *path;
  struct store *s;
  struct store_plan p;
  store_vm_vector vms = empty_vector;
  store_disk_vector disks = empty_vector;
  range_vector ranges = empty_vector;
  store_event_vector ev = empty_vector;
  struct store_host h;
  struct store_vm v;

  test_init (false);
  path = test_path ("ferry.db");
  make_v2 (path, NULL);
  s = store_open (path);
  if (s == NULL)
    FAIL ("opening the version 2 database: %s", error_message ());
  CHECK (version_of (path) == STORE_SCHEMA_VERSION);

  CHECK (store_plan_get (s, "wave1", &p) == 0);
  CHECK (p.id == 7 && strcmp (p.target, "dir:/srv") == 0);
  CHECK (strcmp (p.format, "raw") == 0);
  CHECK (strcmp (p.options, "{\"tcg\":true}") == 0);
  CHECK (p.created_at == 1700000000 && p.cancel_requested);
  CHECK (strcmp (p.mode, "cold") == 0);

  CHECK (store_vm_list (s, 7, &vms) == 0 && vms.len == 2);
  v = vms.ptr[0];
  CHECK (v.id == 11 && v.position == 0);
  CHECK (strcmp (v.source, "vmx:/src/web01.vmx") == 0);
  CHECK (strcmp (v.vm_name, "web01") == 0);
  CHECK (strcmp (v.target_name, "web01-new") == 0);
  CHECK (strcmp (v.state, "copying") == 0 && v.error == NULL);
  CHECK (v.bytes_total == 4096 && v.bytes_done == 1024 && v.rate == 12.5);
  CHECK (strcmp (v.xml_path, "/srv/web01.xml") == 0);
  CHECK (v.created_at == 1700000001 && v.updated_at == 1700000002);
  CHECK (v.started_at == 1700000003 && v.finished_at == 0);
  CHECK (v.cutover_at == 0 && v.warm_base == NULL && v.warm_epoch == NULL);
  CHECK (v.warm_next_mark == 1 && v.predicted_downtime == -1);
  CHECK (v.downtime == NULL);
  CHECK (vms.ptr[1].id == 12 && strcmp (vms.ptr[1].state, "failed") == 0);
  CHECK (strcmp (vms.ptr[1].error, "disk full") == 0);

  CHECK (store_disk_list (s, 11, &disks) == 0 && disks.len == 1);
  CHECK (disks.ptr[0].id == 21 && disks.ptr[0].target_created);
  CHECK (disks.ptr[0].copy_runs == 2);
  CHECK (strcmp (disks.ptr[0].target_path, "/srv/web01.qcow2") == 0);
  CHECK (store_range_list (s, 21, &ranges) == 0 && ranges.len == 1);
  CHECK (ranges.ptr[0].offset == 0 && ranges.ptr[0].length == 1024);
  CHECK (store_event_list (s, 11, 0, &ev) == 0 && ev.len == 1);
  CHECK (strcmp (ev.ptr[0].message, "copy started") == 0);
  store_event_vector_free (&ev);
  CHECK (store_host_get (s, "kvm01", &h) == 0);
  store_host_free (&h);

  /* The new states and columns work on the rebuilt table. */
  CHECK (store_vm_set_state (s, 11, "copying", "syncing", NULL, "warm")
         == 0);
  CHECK (store_vm_set_state (s, 11, "syncing", "rolled-back", NULL, "back")
         == 0);
  CHECK (store_vm_set_warm (s, 11, "m1", "e1", 2) == 0);

  /* Its references hold: the plan's rows go with it. */
  CHECK (store_plan_delete (s, 7) == 0);
  CHECK (store_vm_get (s, 11, &v) == 1);
  store_disk_vector_free (&disks);
  CHECK (store_disk_list (s, 11, &disks) == 0 && disks.len == 0);
  range_vector_reset (&ranges);
  CHECK (store_range_list (s, 21, &ranges) == 0 && ranges.len == 0);
  CHECK (store_event_list (s, 11, 0, &ev) == 0 && ev.len == 0);
  store_close (s);
  store_vm_vector_free (&vms);
  store_plan_free (&p);

  /* A version 2 file with an event of a VM that is gone (written with
   * foreign keys off): the upgrade refuses and changes nothing. */
  make_v2 (path, "INSERT INTO events (vm_id, at, state, message) VALUES"
           "  (99, 1, 'copying', 'orphan');");
  s = store_open (path);
  CHECK (s == NULL);
  CHECK (strstr (error_message (), "dangling reference") != NULL);
  CHECK (strstr (error_message (), "events") != NULL);
  CHECK (version_of (path) == 2);

  store_disk_vector_free (&disks);
  store_event_vector_free (&ev);
  range_vector_reset (&ranges);
  free (path);
  return 0;
}
