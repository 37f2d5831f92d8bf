/* test_store_schema_is_versioned_and_wal: a new store gets the schema at
 * STORE_SCHEMA_VERSION in WAL mode with foreign keys on; reopening keeps it;
 * a store from a newer ferry is refused. */
#include <sqlite3.h>

#include "plantest.h"

static int64_t
query_int (const char *path, const char *sql)
{
  sqlite3 *db;
  sqlite3_stmt *st;
  int64_t v = -1;

  CHECK (sqlite3_open (path, &db) == SQLITE_OK);
  CHECK (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) == SQLITE_OK);
  if (sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return v;
}

int
main (void)
{
  struct store *s;
  char *path;
  sqlite3 *db;

  test_init (false);
  path = test_path ("state/sub/ferry.db");   /* parents are created */
  s = store_open (path);
  CHECK (s != NULL);
  store_close (s);
  CHECK (query_int (path, "SELECT max(version) FROM schema_version")
         == STORE_SCHEMA_VERSION);
  CHECK (query_int (path, "SELECT count(*) FROM schema_version") == 1);
  CHECK (query_int (path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                    "('plans','plan_vms','disks','disk_ranges','events')")
         == 5);

  /* reopening migrates nothing and keeps one version row */
  s = store_open (path);
  CHECK (s != NULL);
  store_close (s);
  CHECK (query_int (path, "SELECT count(*) FROM schema_version") == 1);

  /* WAL is persistent in the file */
  CHECK (sqlite3_open (path, &db) == SQLITE_OK);
  {
    sqlite3_stmt *st;
    CHECK (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &st, NULL)
           == SQLITE_OK);
    CHECK (sqlite3_step (st) == SQLITE_ROW);
    CHECK (strcmp ((const char *) sqlite3_column_text (st, 0), "wal") == 0);
    sqlite3_finalize (st);
  }
  CHECK (sqlite3_exec (db, "INSERT INTO schema_version VALUES (99)", NULL,
                       NULL, NULL) == SQLITE_OK);
  sqlite3_close (db);
  s = store_open (path);
  if (s != NULL)
    FAIL ("a store of schema version 99 was opened");
  CHECK (strstr (error_message (), "newer ferry") != NULL);
  free (path);
  return 0;
}
